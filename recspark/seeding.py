"""Seed derivation and hash-based draws.

Every random value recspark generates is a pure function of (seed, table, column, entity
index, draw index): a 64-bit xxhash of those values, never ``rand()`` and never a row
position. The same inputs give the same value whatever the partitioning, core count or
cluster size, so a dataset is reproducible from its seed and config alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pyspark.sql import Column
from pyspark.sql import functions as F

_TWO_POW_53 = float(2**53)
FEISTEL_ROUNDS = 4


def stream_key(table: str, column: str) -> int:
    """A stable signed 64-bit key naming one stream of draws (pure Python)."""
    digest = hashlib.blake2b(f"recspark:{table}.{column}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hash64(seed: int, table: str, column: str, *keys: Column) -> Column:
    """Signed 64-bit hash of (seed, table, column, keys...)."""
    return F.xxhash64(F.lit(seed).cast("bigint"), F.lit(stream_key(table, column)), *keys)


def uniform(seed: int, table: str, column: str, *keys: Column) -> Column:
    """A double uniform on [0, 1) from the top 53 bits of the hash."""
    return F.shiftrightunsigned(hash64(seed, table, column, *keys), 11).cast("double") / F.lit(
        _TWO_POW_53
    )


def categorical(u: Column, probabilities: Sequence[float]) -> Column:
    """Index of the category a uniform draw ``u`` falls in, by cumulative probability."""
    expr = F.lit(len(probabilities) - 1)
    cumulative = 0.0
    thresholds = []
    for p in probabilities[:-1]:
        cumulative += p
        thresholds.append(cumulative)
    for index in range(len(thresholds) - 1, -1, -1):
        expr = F.when(u < F.lit(thresholds[index]), F.lit(index)).otherwise(expr)
    return expr


def feistel(value: Column, bits: int, seed: int, table: str) -> Column:
    """A keyed bijection on [0, 2^bits): a balanced Feistel network over ``bits`` (even).

    Indices 0..n-1 map to n distinct values spread over the whole range, so neither the
    order nor the differences of the resulting ids say anything about the index (and so
    about the class, which is assigned by index blocks).
    """
    if bits % 2:
        raise ValueError("feistel needs an even bit width")
    half = bits // 2
    mask = F.lit((1 << half) - 1).cast("bigint")
    left = F.shiftright(value, half)
    right = value.bitwiseAND(mask)
    for round_index in range(FEISTEL_ROUNDS):
        mixed = hash64(seed, table, f"feistel{round_index}", right).bitwiseAND(mask)
        left, right = right, left.bitwiseXOR(mixed)
    return F.shiftleft(left, half).bitwiseOR(right)

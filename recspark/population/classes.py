"""The planted truth in pure Python: class sizes, the interaction class mix, activity scale.

Nothing here touches Spark; the generator turns these small numbers into column expressions
and the self-check compares what it reads back against them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def class_counts(total: int, shares: Sequence[float]) -> tuple[int, ...]:
    """Split ``total`` entities into classes by ``shares`` (largest remainder, ties to lower class).

    Every class gets at least one entity when ``total`` allows it, so no planted class is empty.
    """
    raw = [total * s for s in shares]
    counts = [math.floor(r) for r in raw]
    remainder = total - sum(counts)
    order = sorted(range(len(shares)), key=lambda c: (-(raw[c] - counts[c]), c))
    for c in order[:remainder]:
        counts[c] += 1
    for c in range(len(counts)):
        if counts[c] == 0:
            donor = max(range(len(counts)), key=lambda d: (counts[d], -d))
            counts[donor] -= 1
            counts[c] += 1
    return tuple(counts)


def class_starts(counts: Sequence[int]) -> tuple[int, ...]:
    """Index where each class's contiguous block of entity indices begins."""
    starts = [0]
    for c in counts[:-1]:
        starts.append(starts[-1] + c)
    return tuple(starts)


def class_names(prefix: str, classes: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{c}" for c in range(classes))


def affinity_mix(affinity: Sequence[Sequence[float]], product_shares: Sequence[float]) -> np.ndarray:
    """Product-class mix of a user class's affinity-driven interactions: share(Pj)·A[i][j], normalised.

    This is the exposure model: a user is shown products in proportion to catalog share and
    interacts with probability A, so the accepted impressions follow share·A.
    """
    weights = np.asarray(affinity, dtype=float) * np.asarray(product_shares, dtype=float)[None, :]
    return weights / weights.sum(axis=1, keepdims=True)


def expected_mix(
    affinity: Sequence[Sequence[float]],
    product_shares: Sequence[float],
    noise_share: float,
) -> np.ndarray:
    """Expected product-class mix of all interactions per user class, noise included.

    A noise interaction lands on a uniformly random catalog product, so on class j with
    probability share(Pj).
    """
    shares = np.asarray(product_shares, dtype=float)
    return (1.0 - noise_share) * affinity_mix(affinity, product_shares) + noise_share * shares[None, :]


def expected_activity(scale: float, tail: float, cap: int) -> float:
    """Mean of n = min(cap, 1 + floor(X)), X ~ Lomax(shape=tail, scale)."""
    k = np.arange(1, cap, dtype=float)
    # P(n >= k+1) = P(X >= k) for k = 1 .. cap-1; P(n >= 1) = 1.
    return 1.0 + float(np.sum((1.0 + k / scale) ** (-tail)))


def activity_scale(mean: float, tail: float, cap: int) -> float:
    """Lomax scale whose capped, discretised activity has the requested mean (bisection)."""
    if mean <= 1.0:
        return 1e-12
    lo, hi = 1e-9, 1.0
    while expected_activity(hi, tail, cap) < mean:
        hi *= 2.0
        if hi > 1e15:
            raise ValueError(f"mean {mean} is not reachable below the cap {cap}")
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if expected_activity(mid, tail, cap) < mean:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0

"""A small pure-Python reference of every affinity metric, to check the Spark figures against.

Written from the definitions in recspark.evaluation.metrics' docstring, sharing no code with it
beyond the planted truth's small helpers (favourite class, random and oracle affinity, ideal DCG).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from recspark.evaluation.metrics import Truth


def reference_metrics(
    recs: Iterable[tuple[int, int, int]],
    user_class: dict[int, int],
    product_class: dict[int, int],
    active: Iterable[int],
    truth: Truth,
    *,
    k: int,
    disliked: float,
) -> dict[tuple[str, str], float | None]:
    """(metric, slice) -> value for the metrics averaged over users, and the shares of rows."""
    lists: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for user, product, rank in recs:
        if rank <= k and user in user_class:
            lists[user].append((rank, product))
    names = truth.user_names
    per_class: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in (*names, "all")}
    rows: dict[str, list[int]] = {n: [0, 0, 0] for n in (*names, "all")}  # rows, unknown, duplicates
    for user in active:
        c = user_class[user]
        entries = sorted(lists.get(user, []))
        seen: set[int] = set()
        valid: list[tuple[int, int]] = []
        unknown = duplicates = 0
        for rank, product in entries:
            if product not in product_class:
                unknown += 1
            if product in seen:
                duplicates += 1
                continue
            seen.add(product)
            if product in product_class:
                valid.append((rank, product_class[product]))
        for slice_ in (names[c], "all"):
            rows[slice_][0] += len(entries)
            rows[slice_][1] += unknown
            rows[slice_][2] += duplicates
            per_class[slice_]["coverage"].append(1.0 if valid else 0.0)
            per_class[slice_]["fill_rate"].append(len(valid) / k)
        if not valid:
            continue
        gains = [truth.affinity[c][pc] for _, pc in valid]
        affinity = sum(gains) / len(valid)
        random, oracle = truth.random_affinity(c), truth.oracle_affinity(c)
        values = {
            "top_class_share": sum(1 for _, pc in valid if pc == truth.favourite(c)) / len(valid),
            "affinity": affinity,
            "normalized_affinity": (affinity - random) / (oracle - random),
            "ndcg": sum(g / math.log2(r + 1) for (r, _), g in zip(valid, gains, strict=True)) / truth.ideal_dcg(c, k),
            "disliked_share": sum(1 for g in gains if g <= disliked) / len(valid),
        }
        for slice_ in (names[c], "all"):
            for metric, value in values.items():
                per_class[slice_][metric].append(value)
    out: dict[tuple[str, str], float | None] = {}
    for slice_, metrics in per_class.items():
        for metric, values in metrics.items():
            name = "user_coverage" if metric == "coverage" else metric
            out[(name, slice_)] = sum(values) / len(values) if values else None
        total, unknown, duplicates = rows[slice_]
        out[("unknown_product_rate", slice_)] = unknown / total if total else None
        out[("duplicate_rate", slice_)] = duplicates / total if total else None
    return out


def reference_jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0

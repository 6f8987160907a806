"""Affinity metrics of a recommender's output against the planted truth, computed in Spark.

Definitions (k is the list length that counts; a *valid* recommendation is within the top k,
for a synthetic user, of a product in the synthetic catalog, and not a repeat of a product
already in the user's list; S is the set of the dataset's users that interacted at least once):

- user_coverage: share of S with at least one valid recommendation;
- fill_rate: valid recommendations / k, averaged over S (a user without any counts 0);
- recs_per_user: valid recommendations per covered user;
- unknown_product_rate, duplicate_rate: shares of the synthetic users' top-k rows;
- top_class_share: share of a user's valid recommendations in the user class's favourite class;
- affinity: mean A[user class][product class] of a user's valid recommendations;
- normalized_affinity: (affinity - random) / (oracle - random) per user, with random the
  affinity of uniformly random catalog products and oracle the row maximum;
- ndcg: DCG with gain A[user class][product class] at each valid recommendation's rank,
  over the ideal DCG of k products taken best class first;
- disliked_share: share of valid recommendations in classes with A <= the disliked threshold;
- class_order_tau: Kendall tau-b between a user class's recommended class shares and its row of A;
- coherence: mean Jaccard of the valid lists of same-class user pairs minus that of pairs from
  different classes, on a deterministic sample of pairs.

Per-user ratios are averaged over covered users. Each figure has a confidence interval:
Wilson for shares of users or rows, mean ± z·sd/sqrt(n) for means over users. Nothing the
size of the recommendations reaches the driver: per-class sums do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.evaluation.recommendations import RANK
from recspark.expressions import pick
from recspark.population.labels import class_lookup

OVERALL = "all"
USER_CLASS_NAME = "user_class_name"

# Per-user ratios averaged over covered users, in the order they are reported.
USER_MEANS = ("top_class_share", "affinity", "normalized_affinity", "ndcg", "disliked_share")


@dataclass(frozen=True)
class Metric:
    """One figure for one slice (a user class name or 'all')."""

    name: str
    slice: str
    value: float | None
    lower: float | None
    upper: float | None
    n: int

    def as_row(self) -> dict[str, Any]:
        return {"metric": self.name, "slice": self.slice, "value": self.value,
                "lower": self.lower, "upper": self.upper, "n": self.n}


@dataclass(frozen=True)
class Truth:
    """The planted truth the metrics need, from the manifest."""

    affinity: tuple[tuple[float, ...], ...]
    product_shares: tuple[float, ...]
    product_counts: tuple[int, ...]
    user_names: tuple[str, ...]
    product_names: tuple[str, ...]
    seed: int

    @staticmethod
    def from_manifest(manifest: dict[str, Any]) -> Truth:
        return Truth(
            affinity=tuple(tuple(float(v) for v in row) for row in manifest["affinity"]),
            product_shares=tuple(float(v) for v in manifest["products"]["shares"]),
            product_counts=tuple(int(v) for v in manifest["products"]["counts"]),
            user_names=tuple(manifest["users"]["names"]),
            product_names=tuple(manifest["products"]["names"]),
            seed=int(manifest["seed"]),
        )

    def favourite(self, i: int) -> int:
        row = self.affinity[i]
        return max(range(len(row)), key=lambda j: (row[j], -j))

    def random_affinity(self, i: int) -> float:
        total = sum(self.product_counts)
        return sum(a * c / total for a, c in zip(self.affinity[i], self.product_counts, strict=True))

    def oracle_affinity(self, i: int) -> float:
        return max(self.affinity[i])

    def ideal_dcg(self, i: int, k: int) -> float:
        """DCG of the best possible list: k products taken from the best classes first."""
        order = sorted(range(len(self.affinity[i])), key=lambda j: -self.affinity[i][j])
        gains: list[float] = []
        for j in order:
            gains += [self.affinity[i][j]] * min(self.product_counts[j], k - len(gains))
            if len(gains) >= k:
                break
        return sum(g / math.log2(r + 2) for r, g in enumerate(gains))


# ----------------------------------------------------------------------------- statistics


def wilson(successes: float, n: float, z: float) -> tuple[float | None, float | None, float | None]:
    """Share and its Wilson score interval; all None over an empty set."""
    if n <= 0:
        return None, None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(total: float, total_sq: float, n: float, z: float) -> tuple[float | None, float | None, float | None]:
    """Mean and mean ± z·sd/sqrt(n) from a sum and a sum of squares; None over an empty set."""
    if n <= 0:
        return None, None, None
    mean = total / n
    variance = max(0.0, total_sq / n - mean * mean) * (n / (n - 1) if n > 1 else 0.0)
    half = z * math.sqrt(variance / n)
    return mean, mean - half, mean + half


def kendall_tau_b(x: Sequence[float], y: Sequence[float], tolerance: Sequence[Sequence[float]] | None = None) -> float:
    """Kendall tau-b of two equal-length sequences.

    ``tolerance[a][b]`` treats x[a] and x[b] as tied when they differ by no more than it: shares
    that differ only by sampling noise say nothing about order. A constant x (no order shown
    at all) agrees with nothing: 0.
    """
    concordant = discordant = ties_x = ties_y = 0
    for a in range(len(x)):
        for b in range(a + 1, len(x)):
            dx, dy = x[a] - x[b], y[a] - y[b]
            if tolerance is not None and abs(dx) <= tolerance[a][b]:
                dx = 0.0
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif dx * dy > 0:
                concordant += 1
            else:
                discordant += 1
    denom = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return 0.0 if denom == 0 else (concordant - discordant) / denom


def share_tolerance(shares: Sequence[float], n: float, z: float) -> list[list[float]]:
    """z standard errors of the difference of two shares estimated from the same n draws."""
    if n <= 0:
        return [[0.0] * len(shares) for _ in shares]
    return [
        [z * math.sqrt(max(0.0, (p * (1 - p) + q * (1 - q) + 2 * p * q) / n)) for q in shares]
        for p in shares
    ]


# ------------------------------------------------------------------------------ transforms


def _literal_matrix(rows: Sequence[Sequence[float]]) -> Column:
    return F.array(*[F.array(*[F.lit(float(v)) for v in row]) for row in rows])


BROADCAST_LABEL_ROWS = 5_000_000


def label_recommendations(
    long: DataFrame, labels: DataFrame, *, k: int, users: int = 0, products: int = 0
) -> DataFrame:
    """Top-k rows labelled with their classes, one row per (user, product).

    Columns: user_id, user_class (null for users outside the dataset), product_id,
    product_class (null outside the catalog), rank (the best of any repeats) and copies.
    """
    user_labels = class_lookup(labels, C.ENTITY_USER, col_id=C.USER_ID, col_class="user_class")
    product_labels = class_lookup(labels, C.ENTITY_PRODUCT, col_id=C.PRODUCT_ID, col_class="product_class")
    # Broadcast the label lookups up to a few million rows (the staging sizes); at production
    # size (93M products) they are joined by shuffle instead.
    if 0 < users <= BROADCAST_LABEL_ROWS:
        user_labels = F.broadcast(user_labels)
    if 0 < products <= BROADCAST_LABEL_ROWS:
        product_labels = F.broadcast(product_labels)
    rows = (
        long.where(F.col(RANK) <= F.lit(k))
        .join(user_labels, on=C.USER_ID, how="left")
        .join(product_labels, on=C.PRODUCT_ID, how="left")
        .select(C.USER_ID, "user_class", C.PRODUCT_ID, "product_class", RANK)
    )
    return (
        rows.repartition(C.USER_ID)
        .groupBy(C.USER_ID, "user_class", C.PRODUCT_ID, "product_class")
        .agg(F.min(RANK).alias(RANK), F.count(F.lit(1)).alias("copies"))
    )


def per_user(pairs: DataFrame, truth: Truth, *, k: int, disliked: float) -> DataFrame:
    """One row per synthetic user with recommendations: counts and per-user ratios."""
    classes = len(truth.product_names)
    user_class, product_class = F.col("user_class"), F.col("product_class")
    valid = product_class.isNotNull()
    gain = F.element_at(F.element_at(_literal_matrix(truth.affinity), user_class + 1), product_class + 1)
    favourite = pick([truth.favourite(i) for i in range(len(truth.user_names))], user_class)
    counts = [
        F.sum(F.when(product_class == F.lit(j), 1).otherwise(0)).alias(f"n_p{j}") for j in range(classes)
    ]
    stats = pairs.groupBy(C.USER_ID, "user_class").agg(
        F.sum("copies").alias("rows"),
        F.sum(F.col("copies") - F.lit(1)).alias("duplicates"),
        F.sum(F.when(~valid, F.col("copies")).otherwise(0)).alias("unknown"),
        F.sum(F.when(valid, 1).otherwise(0)).alias("valid"),
        F.sum(F.when(valid, gain).otherwise(0.0)).alias("gain_sum"),
        F.sum(F.when(valid, gain / F.log2(F.col(RANK) + F.lit(1))).otherwise(0.0)).alias("dcg"),
        F.sum(F.when(valid & (product_class == favourite), 1).otherwise(0)).alias("top"),
        F.sum(F.when(valid & (gain <= F.lit(disliked)), 1).otherwise(0)).alias("disliked"),
        *counts,
    )
    n_valid = F.col("valid").cast("double")
    random = pick([truth.random_affinity(i) for i in range(len(truth.user_names))], user_class)
    oracle = pick([truth.oracle_affinity(i) for i in range(len(truth.user_names))], user_class)
    ideal = pick([truth.ideal_dcg(i, k) for i in range(len(truth.user_names))], user_class)
    ratio = F.col("valid") > F.lit(0)
    affinity = F.col("gain_sum") / n_valid
    return stats.select(
        "*",
        F.when(ratio, F.col("top") / n_valid).alias("top_class_share"),
        F.when(ratio, affinity).alias("affinity"),
        F.when(ratio, (affinity - random) / (oracle - random)).alias("normalized_affinity"),
        F.when(ratio, F.col("dcg") / ideal).alias("ndcg"),
        F.when(ratio, F.col("disliked") / n_valid).alias("disliked_share"),
    )


def active_users(interactions: DataFrame, labels: DataFrame) -> DataFrame:
    """S: synthetic users with at least one interaction, with their class."""
    user_labels = class_lookup(labels, C.ENTITY_USER, col_id=C.USER_ID, col_class="user_class")
    return interactions.select(C.USER_ID).distinct().join(user_labels, on=C.USER_ID, how="inner")


def with_active(users: DataFrame, active: DataFrame) -> DataFrame:
    """Per-user rows for every user of S (zeros for users without recommendations)."""
    return active.join(users.drop("user_class"), on=C.USER_ID, how="left").fillna(
        0, subset=["rows", "duplicates", "unknown", "valid"]
    )


def class_sums(users_in_s: DataFrame, classes: int, k: int) -> DataFrame:
    """Per user class: counts, and sums and sums of squares of every per-user figure."""
    fill = F.col("valid").cast("double") / F.lit(float(k))
    aggregates = [
        F.count(F.lit(1)).alias("active"),
        F.sum(F.when(F.col("valid") > 0, 1).otherwise(0)).alias("covered"),
        F.sum("rows").alias("rows"),
        F.sum("duplicates").alias("duplicates"),
        F.sum("unknown").alias("unknown"),
        F.sum("valid").alias("valid"),
        F.sum(fill).alias("fill_rate_sum"),
        F.sum(fill * fill).alias("fill_rate_sq"),
    ]
    for name in USER_MEANS:
        aggregates += [F.sum(name).alias(f"{name}_sum"), F.sum(F.col(name) * F.col(name)).alias(f"{name}_sq")]
    aggregates += [F.sum(F.coalesce(F.col(f"n_p{j}"), F.lit(0))).alias(f"n_p{j}") for j in range(classes)]
    return users_in_s.groupBy("user_class").agg(*aggregates)


def coherence_pairs(users: DataFrame, *, seed: int, pairs_per_class: int, classes: int) -> DataFrame:
    """A deterministic sample of user pairs: (a, b, kind, a_class), kind 'same' or 'cross'.

    Covered users are ordered inside their class by a hash of (seed, user id). Same-class
    pairs take positions (1,2), (3,4)...; cross-class pairs join position p of class c with
    position p of class c+1. The sample is bounded (2 x pairs_per_class users a class), so it
    is paired on the driver and handed back as a small DataFrame.
    """
    order = Window.partitionBy("user_class").orderBy(
        F.xxhash64(F.lit(seed), F.lit("coherence"), F.col(C.USER_ID)), F.col(C.USER_ID)
    )
    ranked = (
        users.where(F.col("valid") > 0)
        .select(C.USER_ID, "user_class", F.row_number().over(order).alias("pos"))
        .where(F.col("pos") <= F.lit(2 * pairs_per_class))
        .collect()
    )
    by_class: dict[int, dict[int, int]] = {}
    for row in ranked:
        by_class.setdefault(int(row["user_class"]), {})[int(row["pos"])] = int(row[C.USER_ID])
    sample: list[tuple[int, int, str, int]] = []
    for c, members in sorted(by_class.items()):
        for pos in range(1, 2 * pairs_per_class, 2):
            if pos in members and pos + 1 in members:
                sample.append((members[pos], members[pos + 1], "same", c))
        partner = by_class.get((c + 1) % classes, {}) if classes > 1 else {}
        for pos in range(1, pairs_per_class + 1):
            if pos in members and pos in partner:
                sample.append((members[pos], partner[pos], "cross", c))
    return users.sparkSession.createDataFrame(sample, "a bigint, b bigint, kind string, a_class int")


def coherence_sums(pairs: DataFrame, valid_lists: DataFrame) -> list[Any]:
    """Per (kind, a_class): number of pairs, sum and sum of squares of their Jaccard overlap."""
    wanted = pairs.select(F.col("a").alias(C.USER_ID)).unionByName(pairs.select(F.col("b").alias(C.USER_ID))).distinct()
    # Only the sampled users' lists travel further: a few thousand users, not every list.
    lists = (
        valid_lists.select(C.USER_ID, C.PRODUCT_ID).join(F.broadcast(wanted), on=C.USER_ID, how="left_semi").persist()
    )
    sizes = lists.groupBy(C.USER_ID).agg(F.count(F.lit(1)).alias("size"))
    a_items = lists.select(F.col(C.USER_ID).alias("a"), C.PRODUCT_ID)
    b_items = lists.select(F.col(C.USER_ID).alias("b"), C.PRODUCT_ID)
    shared = (
        pairs.join(a_items, on="a", how="inner")
        .join(b_items, on=["b", C.PRODUCT_ID], how="inner")
        .groupBy("a", "b", "kind")
        .agg(F.count(F.lit(1)).alias("shared"))
    )
    jaccard = (
        pairs.join(shared, on=["a", "b", "kind"], how="left")
        .join(sizes.select(F.col(C.USER_ID).alias("a"), F.col("size").alias("size_a")), on="a", how="inner")
        .join(sizes.select(F.col(C.USER_ID).alias("b"), F.col("size").alias("size_b")), on="b", how="inner")
        .select(
            "kind",
            "a_class",
            (
                F.coalesce(F.col("shared"), F.lit(0)).cast("double")
                / (F.col("size_a") + F.col("size_b") - F.coalesce(F.col("shared"), F.lit(0)))
            ).alias("j"),
        )
    )
    rows = jaccard.groupBy("kind", "a_class").agg(
        F.count(F.lit(1)).alias("n"), F.sum("j").alias("j_sum"), F.sum(F.col("j") * F.col("j")).alias("j_sq")
    ).collect()
    lists.unpersist()
    return rows


def violations(users_in_s: DataFrame, truth: Truth, *, max_disliked_share: float) -> DataFrame:
    """Users whose lists break an expectation: (user_id, user_class, check, got)."""
    got = F.concat_ws(
        " ",
        *[F.concat(F.lit(f"{name}="), F.coalesce(F.col(f"n_p{j}"), F.lit(0)).cast("string"))
          for j, name in enumerate(truth.product_names)],
        F.concat(F.lit("unknown="), F.col("unknown").cast("string")),
        F.concat(F.lit("duplicates="), F.col("duplicates").cast("string")),
    )
    rules = [
        ("no valid recommendations", F.col("valid") == 0),
        ("unknown products", F.col("unknown") > 0),
        ("duplicate products", F.col("duplicates") > 0),
        ("disliked share above max", F.col("disliked_share") > F.lit(max_disliked_share)),
    ]
    checks = F.array_compact(F.array(*[F.when(cond, F.lit(name)) for name, cond in rules]))
    return users_in_s.select(
        C.USER_ID,
        pick(list(truth.user_names), F.col("user_class")).alias(USER_CLASS_NAME),
        F.explode(checks).alias("check"),
        got.alias("got"),
    )


# ------------------------------------------------------------------------ driver-side maths


def metrics_from_sums(
    class_rows: Sequence[Any],
    coherence_rows: Sequence[Any],
    truth: Truth,
    *,
    k: int,
    z: float,
) -> tuple[list[Metric], list[list[float | None]]]:
    """Every metric per user class and overall, and the recommended class-share matrix."""
    by_class = {int(r["user_class"]): r.asDict() if hasattr(r, "asDict") else dict(r) for r in class_rows}
    classes = len(truth.product_names)
    names = list(truth.user_names)
    zero: dict[str, float] = {}
    slices: list[tuple[str, dict[str, float]]] = []
    for i, name in enumerate(names):
        row = {key: float(v or 0) for key, v in by_class.get(i, zero).items()}
        slices.append((name, row))
    overall: dict[str, float] = {}
    for _, row in slices:
        for key, v in row.items():
            overall[key] = overall.get(key, 0.0) + v
    overall.pop("user_class", None)
    slices.append((OVERALL, overall))

    shares: list[list[float | None]] = []
    metrics: list[Metric] = []
    taus: list[float] = []
    for index, (name, row) in enumerate(slices):
        active, covered = row.get("active", 0.0), row.get("covered", 0.0)
        rows, valid = row.get("rows", 0.0), row.get("valid", 0.0)
        metrics.append(Metric("user_coverage", name, *wilson(covered, active, z), int(active)))
        metrics.append(Metric("fill_rate", name, *mean_interval(row.get("fill_rate_sum", 0.0), row.get("fill_rate_sq", 0.0), active, z), int(active)))
        per_user = valid / covered if covered else None
        metrics.append(Metric("recs_per_user", name, per_user, per_user, per_user, int(covered)))
        metrics.append(Metric("unknown_product_rate", name, *wilson(row.get("unknown", 0.0), rows, z), int(rows)))
        metrics.append(Metric("duplicate_rate", name, *wilson(row.get("duplicates", 0.0), rows, z), int(rows)))
        for metric in USER_MEANS:
            value = mean_interval(row.get(f"{metric}_sum", 0.0), row.get(f"{metric}_sq", 0.0), covered, z)
            metrics.append(Metric(metric, name, *value, int(covered)))
        if index < len(names):
            total = sum(row.get(f"n_p{j}", 0.0) for j in range(classes))
            class_share = [row.get(f"n_p{j}", 0.0) / total if total else None for j in range(classes)]
            shares.append(class_share)
            observed = [s or 0.0 for s in class_share]
            tau = (
                None
                if total == 0
                else kendall_tau_b(observed, truth.affinity[index], share_tolerance(observed, total, z))
            )
            if tau is not None:
                taus.append(tau)
            metrics.append(Metric("class_order_tau", name, tau, tau, tau, int(covered)))
        else:
            tau_all = sum(taus) / len(taus) if len(taus) == len(names) else None
            metrics.append(Metric("class_order_tau", name, tau_all, tau_all, tau_all, int(covered)))
    metrics += _coherence(coherence_rows, names, z)
    return metrics, shares


def _coherence(rows: Sequence[Any], names: Sequence[str], z: float) -> list[Metric]:
    sums: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        d = r.asDict() if hasattr(r, "asDict") else dict(r)
        for key in ((d["kind"], names[int(d["a_class"])]), (d["kind"], OVERALL)):
            acc = sums.setdefault(key, [0.0, 0.0, 0.0])
            acc[0] += float(d["n"])
            acc[1] += float(d["j_sum"])
            acc[2] += float(d["j_sq"])
    out: list[Metric] = []
    for name in [*names, OVERALL]:
        same = sums.get(("same", name), [0.0, 0.0, 0.0])
        cross = sums.get(("cross", name), [0.0, 0.0, 0.0])
        if same[0] < 1 or cross[0] < 1:
            out.append(Metric("coherence", name, None, None, None, int(same[0] + cross[0])))
            continue
        m1, m2 = same[1] / same[0], cross[1] / cross[0]
        v1 = max(0.0, same[2] / same[0] - m1 * m1) * (same[0] / (same[0] - 1) if same[0] > 1 else 0.0)
        v2 = max(0.0, cross[2] / cross[0] - m2 * m2) * (cross[0] / (cross[0] - 1) if cross[0] > 1 else 0.0)
        half = z * math.sqrt(v1 / same[0] + v2 / cross[0])
        diff = m1 - m2
        out.append(Metric("coherence", name, diff, diff - half, diff + half, int(same[0] + cross[0])))
    return out

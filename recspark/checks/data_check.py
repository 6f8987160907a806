"""The generator's self-check: do the written tables reproduce the plan in the manifest?

Per (user class, product class) cell the observed share of a user class's interactions is
compared with the planted expectation. Given its class, each of a user's events picks its
product class independently, so the count in a cell is binomial in the class's event count
and the acceptance band ``expected ± z·sqrt(e(1-e)/n)`` narrows as the sample grows.
Class sizes, id uniqueness, id ranges, references and the event window are checked exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.population.labels import class_lookup
from recspark.storage.manifest import manifest_table, read_manifest


@dataclass(frozen=True)
class Check:
    """One checked fact: what was seen, what was allowed, and whether it held."""

    name: str
    observed: float
    expected: float
    lower: float
    upper: float
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "observed": self.observed,
            "expected": self.expected,
            "lower": self.lower,
            "upper": self.upper,
            "passed": self.passed,
            "detail": self.detail,
        }


def exact(name: str, observed: float, expected: float, detail: str = "") -> Check:
    return Check(name, observed, expected, expected, expected, observed == expected, detail)


def within(name: str, observed: float, lower: float, upper: float, expected: float, detail: str = "") -> Check:
    return Check(name, observed, expected, lower, upper, lower <= observed <= upper, detail)


def mix_band(expected: float, n: int, z: float) -> tuple[float, float]:
    """Acceptance band of an observed share over ``n`` independent draws, with continuity correction."""
    if n == 0:
        return (0.0, 0.0)
    half = z * math.sqrt(expected * (1.0 - expected) / n) + 0.5 / n
    return (max(0.0, expected - half), min(1.0, expected + half))


def class_mix_counts(
    interactions: DataFrame,
    labels: DataFrame,
    *,
    col_user: str = C.USER_ID,
    col_product: str = C.PRODUCT_ID,
) -> DataFrame:
    """Events per (user class, product class); a null class marks an id missing from the labels."""
    user_labels = class_lookup(labels, C.ENTITY_USER, col_id=col_user, col_class="user_class")
    product_labels = class_lookup(labels, C.ENTITY_PRODUCT, col_id=col_product, col_class="product_class")
    return (
        interactions.select(col_user, col_product)
        .join(user_labels, on=col_user, how="left")
        .join(product_labels, on=col_product, how="left")
        .groupBy("user_class", "product_class")
        .agg(F.count(F.lit(1)).alias("events"))
    )


def _id_profile(df: DataFrame, column: str) -> dict[str, int]:
    row = df.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count_distinct(F.col(column)).alias("distinct"),
        F.min(column).alias("min"),
        F.max(column).alias("max"),
    ).first()
    assert row is not None
    return {k: int(row[k]) if row[k] is not None else -1 for k in ("rows", "distinct", "min", "max")}


def _id_checks(table: str, column: str, profile: dict[str, int], rows: int, id_range: list[int]) -> list[Check]:
    lo, hi = id_range
    in_range = profile["rows"] == 0 or (lo <= profile["min"] and profile["max"] < hi)
    return [
        exact(f"{table}.rows", profile["rows"], rows, "rows against the manifest"),
        exact(f"{table}.{column} unique", profile["distinct"], profile["rows"], "distinct ids against rows"),
        Check(
            f"{table}.{column} in range",
            float(profile["max"]),
            float(hi - 1),
            float(lo),
            float(hi - 1),
            in_range,
            f"min {profile['min']}, max {profile['max']}, reserved [{lo}, {hi})",
        ),
    ]


def check_dataset(spark: SparkSession, lake: str, dataset: str, z: float | None = None) -> list[Check]:
    """Read the tables at the versions the manifest names and check them against the plan."""
    manifest = read_manifest(spark, lake, dataset)
    z = z if z is not None else float(manifest["config"]["check"]["z"])
    tables = {name: manifest_table(spark, manifest, name) for name in manifest["tables"]}
    sizes = manifest["sizes"]
    checks: list[Check] = []

    users = _id_profile(tables[C.USERS], C.USER_ID)
    checks += _id_checks(C.USERS, C.USER_ID, users, sizes[C.USERS], manifest["users"]["id_range"])
    products = _id_profile(tables[C.PRODUCTS], C.PRODUCT_ID)
    checks += _id_checks(C.PRODUCTS, C.PRODUCT_ID, products, sizes[C.PRODUCTS], manifest["products"]["id_range"])

    labels = tables[C.LABELS]
    label_rows = labels.groupBy(C.ENTITY, C.CLASS_INDEX).agg(F.count(F.lit(1)).alias("n")).collect()
    label_counts = {(r[C.ENTITY], r[C.CLASS_INDEX]): int(r["n"]) for r in label_rows}
    for entity, side in ((C.ENTITY_USER, "users"), (C.ENTITY_PRODUCT, "products")):
        for class_index, (name, planned) in enumerate(
            zip(manifest[side]["names"], manifest[side]["counts"], strict=True)
        ):
            observed = label_counts.pop((entity, class_index), 0)
            checks.append(exact(f"class size {name}", observed, planned, f"{side} labelled {name}"))
    if label_counts:
        stray = sum(label_counts.values())
        checks.append(exact("labels outside the planned classes", stray, 0, str(sorted(label_counts))))

    events = tables[C.INTERACTIONS]
    window = manifest["event_window"]
    start = dt.datetime.fromisoformat(window["start"])
    end = dt.datetime.fromisoformat(window["end"])
    vocabulary = manifest["event_types"]
    row = events.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count_distinct(C.EVENT_ID).alias("distinct"),
        F.min(C.EVENT_ID).alias("min"),
        F.max(C.EVENT_ID).alias("max"),
        F.sum(F.when(~F.col(C.EVENT_TYPE).isin(vocabulary), 1).otherwise(0)).alias("bad_types"),
        F.sum(
            F.when((F.col(C.EVENT_TS) < F.lit(start)) | (F.col(C.EVENT_TS) >= F.lit(end)), 1).otherwise(0)
        ).alias("outside_window"),
        F.sum(F.when(F.to_date(F.col(C.EVENT_TS)) != F.col(C.EVENT_DATE), 1).otherwise(0)).alias("bad_dates"),
    ).first()
    assert row is not None
    event_profile = {k: int(row[k]) if row[k] is not None else -1 for k in ("rows", "distinct", "min", "max")}
    checks += _id_checks(C.INTERACTIONS, C.EVENT_ID, event_profile, sizes[C.INTERACTIONS], manifest["event_id_range"])
    checks.append(exact("event_type in vocabulary", int(row["bad_types"] or 0), 0, "events of another type"))
    checks.append(exact("event_ts in window", int(row["outside_window"] or 0), 0, f"events outside [{start}, {end})"))
    checks.append(exact("event_date matches event_ts", int(row["bad_dates"] or 0), 0, "events whose date disagrees"))

    checks += mix_checks(class_mix_counts(events, labels).collect(), manifest, z)
    return checks


@dataclass(frozen=True)
class MixCell:
    """One (user class, product class) cell: observed share of the user class's events and its band."""

    user_class: str
    product_class: str
    observed: float | None
    expected: float
    lower: float
    upper: float
    events: int


def mix_cells(cells: list[Any], manifest: dict[str, Any], z: float) -> tuple[int, list[MixCell]]:
    """Events outside the labels, and every cell of the mix with its acceptance band."""
    user_names = manifest["users"]["names"]
    product_names = manifest["products"]["names"]
    counts: dict[tuple[int, int], int] = {}
    dangling = 0
    for cell in cells:
        if cell["user_class"] is None or cell["product_class"] is None:
            dangling += int(cell["events"])
        else:
            counts[(int(cell["user_class"]), int(cell["product_class"]))] = int(cell["events"])
    out = []
    for i, user_name in enumerate(user_names):
        total = sum(counts.get((i, j), 0) for j in range(len(product_names)))
        for j, product_name in enumerate(product_names):
            e = float(manifest["expected_mix"][i][j])
            lower, upper = mix_band(e, total, z)
            observed = counts.get((i, j), 0) / total if total else None
            out.append(MixCell(user_name, product_name, observed, e, lower, upper, total))
    return dangling, out


def mix_checks(cells: list[Any], manifest: dict[str, Any], z: float) -> list[Check]:
    """Compare observed cell counts with the manifest's expected mix, one check per cell."""
    dangling, mix = mix_cells(cells, manifest, z)
    checks = [exact("interaction ids in the population", dangling, 0, "events whose user or product has no label")]
    for c in mix:
        checks.append(
            within(f"mix {c.user_class}->{c.product_class}", c.observed or 0.0, c.lower, c.upper, c.expected,
                   f"{c.events:,} events of {c.user_class}")
        )
    return checks

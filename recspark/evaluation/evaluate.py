"""Evaluate one recommender version against a dataset's planted truth, and store the figures."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from recspark import columns as C
from recspark.config import GateConfig
from recspark.evaluation import metrics as M
from recspark.evaluation.recommendations import (
    RecsColumns,
    check_values,
    read_recommendations,
    to_long,
)
from recspark.logs import stage
from recspark.storage import lake as storage
from recspark.storage.manifest import manifest_table, read_manifest

log = logging.getLogger(__name__)

EVALUATIONS = "evaluations"
VIOLATIONS = "violations"
CLASS_SHARE = "class_share"  # stored per "Ui|Pj" slice: the share of Ui's recommendations in Pj

EVALUATIONS_SCHEMA = T.StructType(
    [
        T.StructField("model_version", T.StringType()),
        T.StructField("metric", T.StringType()),
        T.StructField("slice", T.StringType()),
        T.StructField("value", T.DoubleType()),
        T.StructField("lower", T.DoubleType()),
        T.StructField("upper", T.DoubleType()),
        T.StructField("n", T.LongType()),
        T.StructField("k", T.IntegerType()),
        T.StructField("evaluated_at", T.TimestampType()),
        T.StructField("recs_source", T.StringType()),
        T.StructField("recs_version", T.LongType()),
        T.StructField("labels_version", T.LongType()),
        T.StructField("interactions_version", T.LongType()),
    ]
)


@dataclass
class Evaluation:
    """What one evaluation found: the metrics, the class-share matrix and the input counts."""

    version: str
    metrics: list[M.Metric]
    class_shares: list[list[float | None]]
    counts: dict[str, int]
    inputs: dict[str, Any]
    k: int
    violations: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    class_names: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def value(self, metric: str, slice_: str = M.OVERALL) -> M.Metric:
        for m in self.metrics:
            if m.name == metric and m.slice == slice_:
                return m
        raise KeyError((metric, slice_))


def evaluate(
    spark: SparkSession,
    lake: str,
    dataset: str,
    recs: str,
    version: str,
    gate: GateConfig,
    *,
    fmt: str | None = None,
    cols: RecsColumns | None = None,
    store: bool = True,
) -> Evaluation:
    """Read, check, label and measure the recommendations; append the figures to the lake."""
    manifest = read_manifest(spark, lake, dataset)
    truth = M.Truth.from_manifest(manifest)
    tables = manifest["tables"]
    labels = manifest_table(spark, manifest, C.LABELS)
    interactions = manifest_table(spark, manifest, C.INTERACTIONS)

    raw, source = read_recommendations(spark, recs, fmt)
    long = to_long(raw, cols or RecsColumns())
    k = gate.k
    with stage("check recommendations") as details:
        counts = check_values(long, recs, k)
        details["rows"] = f"{counts['rows']:,}"
    with stage("measure affinity") as details:
        pairs = M.label_recommendations(
            long, labels, k=k, users=int(manifest["sizes"][C.USERS]), products=int(manifest["sizes"][C.PRODUCTS])
        )
        pairs = pairs.persist()
        users = M.per_user(pairs, truth, k=k, disliked=gate.disliked_affinity)
        foreign = users.where(F.col("user_class").isNull()).agg(
            F.coalesce(F.sum("rows"), F.lit(0)).alias("rows"), F.count(F.lit(1)).alias("users")
        ).first()
        counts["foreign_rows"] = int(foreign["rows"]) if foreign else 0
        counts["foreign_users"] = int(foreign["users"]) if foreign else 0
        synthetic = users.where(F.col("user_class").isNotNull())
        users_in_s = M.with_active(synthetic, M.active_users(interactions, labels)).persist()
        class_rows = M.class_sums(users_in_s, len(truth.product_names), k).collect()
        pair_sample = M.coherence_pairs(
            users_in_s, seed=truth.seed, pairs_per_class=gate.coherence_pairs_per_class, classes=len(truth.user_names)
        )
        coherence_rows = M.coherence_sums(pair_sample, pairs.where(F.col("product_class").isNotNull()))
        metrics, shares = M.metrics_from_sums(class_rows, coherence_rows, truth, k=k, z=gate.z)
        details["users"] = f"{sum(int(r['active']) for r in class_rows):,}"
    inputs = {
        "recs_source": source.path,
        "recs_format": source.format,
        "recs_version": source.version,
        "labels_version": tables[C.LABELS]["version"],
        "interactions_version": tables[C.INTERACTIONS]["version"],
    }
    evaluation = Evaluation(version, metrics, shares, counts, inputs, k, class_names=truth_names(truth))
    if store:
        with stage("store evaluation") as details:
            evaluation.tables[EVALUATIONS] = store_metrics(spark, lake, dataset, evaluation)
            evaluation.violations, evaluation.tables[VIOLATIONS] = store_violations(
                spark, lake, dataset, version,
                M.violations(users_in_s, truth, max_disliked_share=gate.affinity.max_disliked_share),
            )
            details["violating users rows"] = f"{evaluation.violations:,}"
    users_in_s.unpersist()
    pairs.unpersist()
    return evaluation


def truth_names(truth: M.Truth) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(truth.user_names), tuple(truth.product_names)


def share_rows(evaluation: Evaluation) -> list[M.Metric]:
    """The class-share matrix as metric rows, one per (user class, product class)."""
    users, products = evaluation.class_names
    rows = []
    for name, shares in zip(users, evaluation.class_shares, strict=False):
        for product, share in zip(products, shares, strict=False):
            rows.append(M.Metric(CLASS_SHARE, f"{name}|{product}", share, share, share, 0))
    return rows


def metrics_frame(spark: SparkSession, evaluation: Evaluation, evaluated_at: dt.datetime | None = None) -> DataFrame:
    """The evaluation's metrics as rows of the evaluations table."""
    at = evaluated_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    inputs = evaluation.inputs
    rows = [
        (evaluation.version, m.name, m.slice, m.value, m.lower, m.upper, m.n, evaluation.k, at,
         inputs["recs_source"], inputs["recs_version"], inputs["labels_version"], inputs["interactions_version"])
        for m in [*evaluation.metrics, *share_rows(evaluation)]
    ]
    return spark.createDataFrame(rows, EVALUATIONS_SCHEMA)


def _replace_version(df: DataFrame, path: str, version: str) -> storage.Commit:
    """Replace this model version's rows in one commit (a rerun does not duplicate them)."""
    spark = df.sparkSession
    if not storage.is_table(spark, path):
        return storage.write_table(df, path)
    condition = f"model_version = '{version.replace(chr(39), chr(39) * 2)}'"
    return storage.replace_where(df, path, condition)


def store_metrics(spark: SparkSession, lake: str, dataset: str, evaluation: Evaluation) -> int:
    path = storage.table_path(lake, dataset, EVALUATIONS)
    return _replace_version(metrics_frame(spark, evaluation), path, evaluation.version).version


def store_violations(spark: SparkSession, lake: str, dataset: str, version: str, rows: DataFrame) -> tuple[int, int]:
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    frame = rows.select(
        F.lit(version).alias("model_version"),
        F.col(C.USER_ID),
        F.col(M.USER_CLASS_NAME).alias("user_class"),
        "check",
        "got",
        F.lit(at).cast("timestamp").alias("evaluated_at"),
    )
    path = storage.table_path(lake, dataset, VIOLATIONS)
    commit = _replace_version(frame, path, version)
    # Count from the stored table: an empty replace may not commit, so commit metrics can't tell.
    stored = storage.read_table(spark, path).where(F.col("model_version") == F.lit(version)).count()
    return stored, commit.version


def load_evaluation(spark: SparkSession, lake: str, dataset: str, version: str) -> Evaluation:
    """A stored evaluation of ``version``, or an input error naming the versions that exist."""
    from recspark.errors import InputError

    path = storage.table_path(lake, dataset, EVALUATIONS)
    if not storage.is_table(spark, path):
        raise InputError(f"{path}: expected stored evaluations, found none (run recspark evaluate first)")
    table = storage.read_table(spark, path)
    rows = table.where(F.col("model_version") == version).collect()
    if not rows:
        known = sorted(r[0] for r in table.select("model_version").distinct().collect())
        raise InputError(f"model version {version!r}: expected one of the evaluated versions {known}, found none")
    metrics = [M.Metric(r["metric"], r["slice"], r["value"], r["lower"], r["upper"], int(r["n"] or 0))
               for r in rows if r["metric"] != CLASS_SHARE]
    stored_shares = {r["slice"]: r["value"] for r in rows if r["metric"] == CLASS_SHARE}
    names = truth_names(M.Truth.from_manifest(read_manifest(spark, lake, dataset)))
    shares = [[stored_shares.get(f"{u}|{p}") for p in names[1]] for u in names[0]] if stored_shares else []
    first = rows[0]
    inputs = {key: first[key] for key in ("recs_source", "recs_version", "labels_version", "interactions_version")}
    return Evaluation(version, metrics, shares, {}, inputs, int(first["k"]), class_names=names)

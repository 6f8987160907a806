"""The staging gate on tiny data with real Spark, Delta and GX: verdicts, metrics, inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.config import load_gate_config
from recspark.errors import InputError
from recspark.evaluation import metrics as M
from recspark.evaluation.evaluate import evaluate, load_evaluation
from recspark.evaluation.recommendations import (
    RecsColumns,
    check_values,
    read_recommendations,
    to_long,
)
from recspark.gate import gate_evaluation, write_verdict
from recspark.generate import generate
from recspark.storage import lake as storage
from recspark.storage.manifest import read_manifest
from recspark.validation.gx import Validator
from tests.builders import recommendations_from_labels, tiny_config
from tests.reference import reference_jaccard, reference_metrics

DATASET = "gate"
METRIC_TOLERANCE = 1e-9  # Spark and the reference compute the same sums in double precision


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> str:
    root = str(tmp_path_factory.mktemp("gate-lake"))
    generate(spark, tiny_config(), root, DATASET)
    return root


@pytest.fixture(scope="module")
def labels(spark: SparkSession, lake: str) -> DataFrame:
    return storage.read_table(spark, storage.table_path(lake, DATASET, C.LABELS))


@pytest.fixture(scope="module")
def validator(lake: str) -> Validator:
    return Validator(f"{lake}/{DATASET}/reports")


def _save(df: DataFrame, path: Path) -> str:
    df.write.format("delta").mode("overwrite").save(str(path))
    return str(path)


@pytest.fixture(scope="module")
def perfect(spark: SparkSession, lake: str, labels: DataFrame, tmp_path_factory: pytest.TempPathFactory):
    path = _save(recommendations_from_labels(spark, labels), tmp_path_factory.mktemp("recs") / "perfect")
    return evaluate(spark, lake, DATASET, path, "V1", load_gate_config())


def test_a_perfect_recommender_passes(spark: SparkSession, perfect, validator: Validator, tmp_path: Path) -> None:
    verdict = gate_evaluation(spark, validator, perfect, load_gate_config())
    failed = [c.check for c in verdict.checks if c.status != "PASS"]
    assert verdict.verdict == "PASS", failed
    assert perfect.value("normalized_affinity").value == pytest.approx(1.0)
    assert perfect.value("user_coverage").value == 1.0
    path = write_verdict(str(tmp_path / "verdict.json"), verdict)
    written = json.loads(Path(path).read_text())
    assert written["verdict"] == "PASS" and Path(written["data_docs"]).is_file()
    assert {"observed", "threshold", "margin", "status"} <= set(written["checks"][0])


def test_uniformly_random_recommendations_fail(spark, lake, labels, validator, tmp_path: Path) -> None:
    path = _save(recommendations_from_labels(spark, labels, mode="random"), tmp_path / "random")
    evaluation = evaluate(spark, lake, DATASET, path, "V3", load_gate_config())
    verdict = gate_evaluation(spark, validator, evaluation, load_gate_config())
    failed = {c.check for c in verdict.checks if c.status == "FAIL"}
    assert verdict.verdict == "FAIL"
    assert {"normalized affinity all", "top-class share all"} <= failed
    assert abs(evaluation.value("normalized_affinity").value) < 0.1


def test_empty_output_fails_on_coverage_and_no_ratio_passes(spark, lake, validator, tmp_path: Path) -> None:
    empty = spark.createDataFrame([], "user_id bigint, product_id bigint, rank int")
    path = _save(empty, tmp_path / "empty")
    evaluation = evaluate(spark, lake, DATASET, path, "V4", load_gate_config())
    verdict = gate_evaluation(spark, validator, evaluation, load_gate_config())
    statuses = {c.check: c.status for c in verdict.checks}
    assert verdict.verdict == "FAIL"
    assert statuses["user coverage"] == "FAIL" and statuses["recommendations within k"] == "FAIL"
    assert evaluation.value("normalized_affinity").value is None
    ratio_checks = [c for c in verdict.checks if c.suite == "affinity"]
    assert ratio_checks and all(c.status == "FAIL" for c in ratio_checks if c.check.endswith("computed"))
    violations = storage.read_table(spark, storage.table_path(lake, DATASET, "violations"))
    assert violations.where("model_version = 'V4' and check = 'no valid recommendations'").count() == 2_000


def test_a_slightly_worse_version_warns_against_the_good_baseline(spark, lake, labels, perfect, validator, tmp_path) -> None:
    path = _save(recommendations_from_labels(spark, labels, noise_share=0.15), tmp_path / "noisy")
    evaluation = evaluate(spark, lake, DATASET, path, "V2", load_gate_config())
    baseline = load_evaluation(spark, lake, DATASET, "V1")
    verdict = gate_evaluation(spark, validator, evaluation, load_gate_config(), baseline)
    statuses = {c.check: c.status for c in verdict.checks}
    assert verdict.verdict == "WARN", [c.check for c in verdict.checks if c.status != "PASS"]
    assert statuses["normalized_affinity vs baseline (warn margin)"] == "WARN"
    assert statuses["normalized_affinity vs baseline (fail margin)"] == "PASS"
    against_itself = gate_evaluation(spark, validator, baseline, load_gate_config(), baseline, with_floors=False)
    assert against_itself.verdict == "PASS"


def test_evaluations_are_stored_once_per_version(spark, lake, perfect) -> None:
    table = storage.read_table(spark, storage.table_path(lake, DATASET, "evaluations"))
    rows = table.where("model_version = 'V1' and metric = 'ndcg' and slice = 'all'").collect()
    assert len(rows) == 1
    manifest = read_manifest(spark, lake, DATASET)
    assert rows[0]["labels_version"] == manifest["tables"][C.LABELS]["version"]
    assert rows[0]["lower"] <= rows[0]["value"] <= rows[0]["upper"]


def test_spark_metrics_match_the_python_reference(spark, lake, labels, tmp_path: Path) -> None:
    recs = recommendations_from_labels(spark, labels, noise_share=0.3, seed=5)
    # Break a few lists on purpose: an unknown product, a repeated product, rows past k.
    extra = recs.where("rank = 1").limit(40).select(
        "user_id", (F.col("product_id") + F.lit(10**12)).alias("product_id"), F.lit(21).alias("rank")
    )
    repeats = recs.where("rank = 2").limit(30).select("user_id", "product_id", F.lit(3).alias("rank"))
    unknown = recs.where("rank = 4").limit(25).select("user_id", F.lit(42).cast("bigint").alias("product_id"), "rank")
    recs = recs.where("rank != 4").unionByName(unknown).unionByName(repeats).unionByName(extra)
    path = _save(recs, tmp_path / "mixed")
    manifest = read_manifest(spark, lake, DATASET)
    truth = M.Truth.from_manifest(manifest)
    gate = load_gate_config()
    evaluation = evaluate(spark, lake, DATASET, path, "REF", gate, store=False)

    rows = [(r.user_id, r.product_id, r.rank) for r in recs.collect()]
    user_class = {r.id: r.class_index for r in labels.where("entity = 'user'").collect()}
    product_class = {r.id: r.class_index for r in labels.where("entity = 'product'").collect()}
    events = storage.read_table(spark, storage.table_path(lake, DATASET, C.INTERACTIONS))
    active = [r.user_id for r in events.select("user_id").distinct().collect()]
    expected = reference_metrics(rows, user_class, product_class, active, truth, k=gate.k, disliked=gate.disliked_affinity)
    compared = 0
    for (metric, slice_), value in expected.items():
        got = evaluation.value(metric, slice_).value
        if value is None:
            assert got is None, (metric, slice_)
        else:
            assert got == pytest.approx(value, abs=METRIC_TOLERANCE), (metric, slice_)
        compared += 1
    assert compared == 6 * 9  # nine metrics for five classes and overall
    assert evaluation.counts["rows_past_k"] == 40
    assert expected[("unknown_product_rate", "all")] > 0 and expected[("duplicate_rate", "all")] > 0


def test_coherence_matches_the_reference_on_the_sampled_pairs(spark, lake, labels, tmp_path: Path) -> None:
    manifest = read_manifest(spark, lake, DATASET)
    truth = M.Truth.from_manifest(manifest)
    long = to_long(recommendations_from_labels(spark, labels, noise_share=0.3))
    pairs = M.label_recommendations(long, labels, k=20)
    valid = pairs.where(F.col("product_class").isNotNull())
    users = M.with_active(M.per_user(pairs, truth, k=20, disliked=0.05), M.active_users(
        storage.read_table(spark, storage.table_path(lake, DATASET, C.INTERACTIONS)), labels))
    sample = M.coherence_pairs(users, seed=truth.seed, pairs_per_class=50, classes=5)
    spark_sums = {(r["kind"], r["a_class"]): r for r in M.coherence_sums(sample, valid)}
    lists: dict[int, set[int]] = {}
    for r in valid.select("user_id", "product_id").collect():
        lists.setdefault(r.user_id, set()).add(r.product_id)
    by_key: dict[tuple[str, int], list[float]] = {}
    for p in sample.collect():
        by_key.setdefault((p.kind, p.a_class), []).append(reference_jaccard(lists[p.a], lists[p.b]))
    assert set(by_key) == set(spark_sums) and len(by_key) == 10
    for key, values in by_key.items():
        assert spark_sums[key]["n"] == len(values) == 50
        assert spark_sums[key]["j_sum"] == pytest.approx(sum(values), abs=METRIC_TOLERANCE)


def _long_rows(df: DataFrame) -> list[tuple[int, int, int]]:
    return sorted((r.user_id, r.product_id, r.rank) for r in df.collect())


def test_every_accepted_input_shape_reads_to_the_same_long_form(spark: SparkSession, tmp_path: Path) -> None:
    long = spark.createDataFrame([(1, 10, 1), (1, 11, 2), (2, 12, 1)], "user_id bigint, product_id bigint, rank int")
    expected = _long_rows(long)
    scored = spark.createDataFrame([(1, 10, 0.9), (1, 11, 0.5), (2, 12, 0.7)], "user_id long, product_id long, score double")
    nested_structs = spark.createDataFrame(
        [(1, [(10, 0.9), (11, 0.5)]), (2, [(12, 0.7)])],
        "user_id int, recommendations array<struct<product_id:int, rating:float>>",
    )
    nested_ids = spark.createDataFrame([(1, [10, 11]), (2, [12])], "user_id long, recommendations array<long>")
    for frame in (scored, nested_structs, nested_ids):
        assert _long_rows(to_long(frame)) == expected
    for fmt in ("parquet", "json", "csv"):
        path = str(tmp_path / f"recs.{fmt}")
        long.write.format(fmt).option("header", "true").save(path)
        raw, source = read_recommendations(spark, path)
        assert source.format == fmt and _long_rows(to_long(raw)) == expected
    renamed = long.withColumnRenamed("user_id", "uid").withColumnRenamed("product_id", "item")
    assert _long_rows(to_long(renamed, RecsColumns(user="uid", product="item"))) == expected


def test_score_ties_break_by_product_id(spark: SparkSession) -> None:
    tied = spark.createDataFrame([(1, 12, 0.5), (1, 10, 0.5), (1, 11, 0.9)], "user_id long, product_id long, score double")
    assert _long_rows(to_long(tied)) == [(1, 10, 2), (1, 11, 1), (1, 12, 3)]


@pytest.mark.parametrize(
    ("rows", "schema", "message"),
    [
        ([(1, 2)], "user_id long, item long", "expected a column 'product_id' (an integer id), found columns user_id, item"),
        ([("a", 2, 1)], "user_id string, product_id long, rank int", "expected column 'user_id' to be an integer id, found string"),
        ([(1, 2)], "user_id long, product_id long", "expected a 'rank' or a 'score' column"),
        ([(1, ["x"])], "user_id long, recommendations array<string>", "to hold product ids or structs"),
        ([(1, 5)], "user_id long, recommendations long", "expected 'recommendations' to be an array, found bigint"),
    ],
)
def test_malformed_shapes_are_input_errors(spark: SparkSession, rows, schema: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        to_long(spark.createDataFrame(rows, schema))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(None, 2, 1), (1, 3, 1)], "1 rows with a null user id"),
        ([(1, None, 1)], "1 rows with a null product id"),
        ([(1, 2, -1), (1, 3, 0)], "2 rows with a null or non-positive rank"),
    ],
)
def test_bad_values_are_input_errors(spark: SparkSession, rows, message: str) -> None:
    df = spark.createDataFrame(rows, "user_id long, product_id long, rank int")
    with pytest.raises(InputError, match=message):
        check_values(to_long(df), "test")


def test_an_unreadable_path_is_an_input_error(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected readable parquet recommendations"):
        read_recommendations(spark, str(tmp_path / "missing.parquet"))
    with pytest.raises(InputError, match="expected a Delta table, or a path ending in"):
        read_recommendations(spark, str(tmp_path / "nothing-here"))

"""The generator against real Delta tables on disk: determinism, truth, schemas, reruns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.checks.data_check import check_dataset
from recspark.fingerprint import fingerprint
from recspark.generate import generate, population_frames
from recspark.population.plan import make_plan
from recspark.storage import lake as storage
from recspark.storage.manifest import manifest_path, read_manifest
from tests.builders import tiny_config

DATASET = "tiny"
UNIFORM_SHARE_TOLERANCE = 0.06  # class share inside an id-order bucket of 400 users


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> str:
    root = str(tmp_path_factory.mktemp("lake"))
    generate(spark, tiny_config(), root, DATASET)
    return root


def _fingerprints(spark: SparkSession, **config: Any) -> dict[str, Any]:
    frames = population_frames(spark, make_plan(tiny_config(**config)), tiny_config(**config).partitions)
    return {name: fingerprint(frame) for name, (frame, _) in frames.items()}


def test_same_seed_gives_the_same_tables_whatever_the_partitioning(spark: SparkSession) -> None:
    one = _fingerprints(spark, partitions=1)
    three = _fingerprints(spark, partitions=3)
    assert one == three
    assert one[C.INTERACTIONS].rows > 10_000


def test_another_seed_gives_other_data(spark: SparkSession) -> None:
    base = _fingerprints(spark, partitions=2)
    other = _fingerprints(spark, partitions=2, seed=8)
    for name in C.TABLES:
        assert base[name] != other[name], name


def test_tables_have_the_documented_schemas(spark: SparkSession, lake: str) -> None:
    for name, schema in C.SCHEMAS.items():
        df = storage.read_table(spark, storage.table_path(lake, DATASET, name))
        assert [(f.name, f.dataType) for f in df.schema] == [(f.name, f.dataType) for f in schema], name
    detail = DeltaTable.forPath(spark, storage.table_path(lake, DATASET, C.INTERACTIONS)).detail().first()
    assert list(detail["partitionColumns"]) == [C.EVENT_DATE]


def test_class_labels_live_only_in_the_labels_table(spark: SparkSession, lake: str) -> None:
    for name in (C.USERS, C.PRODUCTS, C.INTERACTIONS):
        columns = storage.read_table(spark, storage.table_path(lake, DATASET, name)).columns
        assert not [c for c in columns if "class" in c.lower()], name
    labels = storage.read_table(spark, storage.table_path(lake, DATASET, C.LABELS))
    assert {r[0] for r in labels.select(C.CLASS_NAME).distinct().collect()} == {
        *(f"U{i}" for i in range(5)),
        *(f"P{i}" for i in range(5)),
    }


def test_class_is_not_recoverable_from_id_order_or_arithmetic(spark: SparkSession, lake: str) -> None:
    labels = storage.read_table(spark, storage.table_path(lake, DATASET, C.LABELS)).where(
        F.col(C.ENTITY) == C.ENTITY_USER
    )
    rows = sorted((r[C.ID], r[C.CLASS_INDEX]) for r in labels.collect())
    bucket = len(rows) // 5
    for b in range(5):
        classes = [c for _, c in rows[b * bucket : (b + 1) * bucket]]
        for c in range(5):
            assert classes.count(c) / bucket == pytest.approx(0.2, abs=UNIFORM_SHARE_TOLERANCE)
    for c in range(5):
        residues = [i % 5 for i, cls in rows if cls == c]
        assert max(residues.count(r) for r in range(5)) / len(residues) < 0.2 + UNIFORM_SHARE_TOLERANCE


def test_the_self_check_recovers_class_sizes_the_planted_mix_and_id_rules(spark: SparkSession, lake: str) -> None:
    checks = {c.name: c for c in check_dataset(spark, lake, DATASET)}
    assert [name for name, c in checks.items() if not c.passed] == []
    assert len([n for n in checks if n.startswith("mix ")]) == 25
    assert checks["class size U0"].observed == 400
    assert checks["interactions.event_id unique"].observed == checks["interactions.rows"].observed
    favourite = checks["mix U2->P2"]
    assert favourite.observed > 0.5 and favourite.lower < favourite.expected < favourite.upper


def test_manifest_records_the_truth_and_the_table_versions(spark: SparkSession, lake: str) -> None:
    manifest = read_manifest(spark, lake, DATASET)
    assert manifest["affinity"][0] == [0.95, 0.50, 0.15, 0.05, 0.01]
    assert manifest["class_shares"]["users"] == [0.2] * 5
    assert manifest["seed"] == 7 and len(manifest["config_hash"]) == 64
    assert sum(manifest["expected_mix"][0]) == pytest.approx(1.0)
    for name in C.TABLES:
        entry = manifest["tables"][name]
        assert entry["version"] == storage.last_commit(spark, entry["path"]).version
        assert entry["rows"] == storage.read_table(spark, entry["path"]).count()
    assert manifest["sizes"][C.USERS] == 2_000


def test_rerun_replaces_the_dataset_without_duplicating_rows(spark: SparkSession, tmp_path: Path) -> None:
    root = str(tmp_path)
    first = generate(spark, tiny_config(), root, DATASET)
    before = {n: fingerprint(storage.read_table(spark, storage.table_path(root, DATASET, n))) for n in C.TABLES}
    second = generate(spark, tiny_config(partitions=3), root, DATASET)
    after = {n: fingerprint(storage.read_table(spark, storage.table_path(root, DATASET, n))) for n in C.TABLES}
    assert before == after
    for name in C.TABLES:
        assert second["tables"][name]["version"] == first["tables"][name]["version"] + 1


def test_a_run_failing_midway_leaves_the_previous_dataset_readable(spark: SparkSession, tmp_path: Path) -> None:
    root = str(tmp_path)
    generate(spark, tiny_config(), root, DATASET)
    old_manifest = Path(manifest_path(root, DATASET)).read_text()
    old = {n: fingerprint(storage.read_table(spark, storage.table_path(root, DATASET, n))) for n in C.TABLES}

    def failing_writer(df, path, partition_by, options):  # fault injection in recspark's own code
        if path.endswith(C.INTERACTIONS):
            raise RuntimeError("disk full")
        return storage.write_table(df, path, partition_by, options)

    with pytest.raises(RuntimeError, match="disk full"):
        generate(spark, tiny_config(seed=8), root, DATASET, write=failing_writer)

    assert Path(manifest_path(root, DATASET)).read_text() == old_manifest
    manifest = json.loads(old_manifest)
    for name in C.TABLES:
        entry = manifest["tables"][name]
        assert fingerprint(storage.read_table(spark, entry["path"], entry["version"])) == old[name], name
    users_now = fingerprint(storage.read_table(spark, storage.table_path(root, DATASET, C.USERS)))
    assert users_now != old[C.USERS]  # the new users landed; the manifest still names the old version
    assert all(c.passed for c in check_dataset(spark, root, DATASET))


def test_the_self_check_fails_when_the_data_do_not_reproduce_the_plan(spark: SparkSession, tmp_path: Path) -> None:
    root = str(tmp_path)
    generate(spark, tiny_config(), root, DATASET)
    path = Path(manifest_path(root, DATASET))
    manifest = json.loads(path.read_text())
    manifest["expected_mix"] = manifest["expected_mix"][1:] + manifest["expected_mix"][:1]
    path.write_text(json.dumps(manifest))
    failed = [c.name for c in check_dataset(spark, root, DATASET) if not c.passed]
    assert "mix U0->P0" in failed and "mix U4->P4" in failed
    assert not [n for n in failed if not n.startswith("mix ")]

"""recspark purge: one dataset and its outputs go, nothing else does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyspark.sql import SparkSession

from recspark.cli import cli
from recspark.errors import DatasetError, InputError
from recspark.generate import generate
from recspark.storage import lake as storage
from recspark.storage.purge import plan_purge, run_purge
from tests.builders import tiny_config


@pytest.fixture()
def lake(spark: SparkSession, tmp_path: Path) -> Path:
    root = tmp_path / "lake"
    generate(spark, tiny_config(users={"count": 300}, products={"count": 60}), str(root), "a")
    generate(spark, tiny_config(seed=8, users={"count": 200, "id_base": 5_100_000_000},
                                products={"count": 50, "id_base": 6_100_000_000},
                                interactions={"id_base": 9_100_000_000}), str(root), "b")
    return root


def _staging_table(spark: SparkSession, lake: Path, where: Path) -> tuple[int, int]:
    """A staging events table holding both datasets' interactions plus real (out-of-range) rows."""
    a = storage.read_table(spark, str(lake / "a" / "interactions")).select("event_id", "user_id", "product_id")
    b = storage.read_table(spark, str(lake / "b" / "interactions")).select("event_id", "user_id", "product_id")
    real = spark.createDataFrame([(1, 10, 20), (2, 11, 21), (3, 12, 22)], "event_id long, user_id long, product_id long")
    a.unionByName(b).unionByName(real).write.format("delta").save(str(where))
    return a.count(), b.count() + 3


def test_purge_removes_exactly_one_dataset(spark: SparkSession, lake: Path, tmp_path: Path) -> None:
    staging = tmp_path / "staging_events"
    in_a, others = _staging_table(spark, lake, staging)
    (lake / "a" / "notes.txt").write_text("kept: not written by recspark")
    before_b = sorted(p.name for p in (lake / "b").iterdir())

    dry = CliRunner().invoke(cli, ["purge", "--lake", str(lake), "--dataset", "a", "--dry-run", "--table", str(staging)])
    assert dry.exit_code == 0, dry.output
    assert "would remove" in dry.output and f"{in_a:,} of {in_a + others:,}" in dry.output
    assert "left alone" in dry.output and "notes.txt" in dry.output
    assert (lake / "a" / "manifest.json").is_file() and storage.read_table(spark, str(staging)).count() == in_a + others

    done = CliRunner().invoke(cli, ["purge", "--lake", str(lake), "--dataset", "a", "--table", str(staging)])
    assert done.exit_code == 0, done.output
    assert f"{others:,} after" in done.output
    assert sorted(p.name for p in (lake / "a").iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in (lake / "b").iterdir()) == before_b
    assert storage.read_table(spark, str(lake / "b" / "interactions")).count() > 0
    left = storage.read_table(spark, str(staging))
    assert left.count() == others
    assert left.where("event_id IN (1, 2, 3)").count() == 3


def test_purge_without_foreign_files_removes_the_folder(spark: SparkSession, lake: Path) -> None:
    run_purge(spark, plan_purge(spark, str(lake), "b"))
    assert not (lake / "b").exists() and (lake / "a" / "manifest.json").is_file()


def test_purge_refuses_what_is_not_the_dataset(spark: SparkSession, lake: Path, tmp_path: Path) -> None:
    manifest = json.loads((lake / "a" / "manifest.json").read_text())
    manifest["dataset"] = "other"
    (lake / "a" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match="expected a recspark manifest for dataset 'a'"):
        plan_purge(spark, str(lake), "a")
    with pytest.raises(DatasetError, match="expected the manifest"):
        plan_purge(spark, str(lake), "missing")
    spark.createDataFrame([(1,)], "x long").write.format("delta").save(str(tmp_path / "no_ids"))
    with pytest.raises(InputError, match="expected an id column"):
        plan_purge(spark, str(lake), "b", [str(tmp_path / "no_ids")])
    result = CliRunner().invoke(cli, ["purge", "--lake", str(lake), "--dataset", "b", "--table", str(tmp_path / "none")])
    assert result.exit_code == 2 and "expected a Delta table" in result.output
    assert (lake / "b" / "manifest.json").is_file()

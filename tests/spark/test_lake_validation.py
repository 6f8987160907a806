"""recspark validate-lake: each run reads only the rows added since the watermark."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from recspark.cli import cli
from recspark.generate import generate
from recspark.lake_validation import HISTORY, WATERMARK
from recspark.storage import lake as storage
from tests.builders import tiny_config


def test_validate_lake_processes_only_new_rows(spark: SparkSession, tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    generate(spark, tiny_config(users={"count": 300}, products={"count": 60}), lake, "daily")
    interactions = storage.table_path(lake, "daily", "interactions")
    total = storage.read_table(spark, interactions).count()
    where = ["validate-lake", "--lake", lake, "--dataset", "daily"]
    runner = CliRunner()

    first = runner.invoke(cli, where)
    assert first.exit_code == 0, first.output
    assert f"validated {total:,} rows added in versions 0..0" in first.output

    second = runner.invoke(cli, where)
    assert second.exit_code == 0 and "nothing new since version 0" in second.output

    # A day of new events: copies of 25 existing rows with fresh event ids inside the reserved range.
    storage.append_rows(_fresh_ids(spark, interactions, 25), interactions)
    third = runner.invoke(cli, where)
    assert third.exit_code == 0, third.output
    assert "validated 25 rows added in versions 1..1" in third.output

    # Bad rows: an unknown event type fails the run and keeps the watermark where it was.
    storage.append_rows(_fresh_ids(spark, interactions, 5, offset=100).withColumn("event_type", F.lit("swipe")), interactions)
    fourth = runner.invoke(cli, where)
    assert fourth.exit_code == 1, fourth.output
    assert "validated 5 rows added in versions 2..2" in fourth.output
    assert "interactions.event_type in vocabulary" in fourth.output
    again = runner.invoke(cli, where)
    assert again.exit_code == 1 and "versions 2..2" in again.output

    history = storage.read_table(spark, storage.table_path(lake, "daily", HISTORY)).orderBy("run_at").collect()
    assert [(r["from_version"], r["to_version"], r["rows"], r["verdict"]) for r in history] == [
        (0, 0, total, "PASS"), (1, 0, 0, "PASS"), (1, 1, 25, "PASS"), (2, 2, 5, "FAIL"), (2, 2, 5, "FAIL")]
    mark = storage.read_table(spark, storage.table_path(lake, "daily", WATERMARK)).collect()
    assert [(r["table"], r["version"]) for r in mark] == [("interactions", 1)]


def _fresh_ids(spark: SparkSession, path: str, count: int, offset: int = 0):
    """``count`` existing rows with new event ids just above the largest one (still in the reserved range)."""
    table = storage.read_table(spark, path)
    top = int(table.agg(F.max("event_id")).first()[0])
    rows = table.orderBy("event_id").limit(count).collect()
    fresh = [{**row.asDict(), "event_id": top + 1 + offset + i} for i, row in enumerate(rows)]
    return spark.createDataFrame(fresh, table.schema)

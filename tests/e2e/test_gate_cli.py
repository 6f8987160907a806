"""`recspark evaluate`, `compare` and `validate-data` as a deployment pipeline runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyspark.sql import SparkSession

from recspark.cli import cli
from recspark.storage import lake as storage
from tests.builders import recommendations_from_labels, tiny_overrides


@pytest.mark.slow
def test_gate_commands_give_verdicts_and_exit_codes(spark: SparkSession, tmp_path: Path) -> None:
    runner = CliRunner()
    lake = str(tmp_path / "lake")
    where = ["--lake", lake, "--dataset", "pipeline"]
    generate = ["generate", "--profile", "local", *where]
    for item in tiny_overrides():
        generate += ["--set", item]
    assert runner.invoke(cli, generate).exit_code == 0

    labels = storage.read_table(spark, storage.table_path(lake, "pipeline", "labels"))
    recommendations_from_labels(spark, labels).write.format("delta").save(str(tmp_path / "v1"))
    recommendations_from_labels(spark, labels, noise_share=0.15).write.parquet(str(tmp_path / "v2.parquet"))
    spark.createDataFrame([], "user_id long, product_id long, rank int").write.format("delta").save(str(tmp_path / "v4"))

    v1 = runner.invoke(cli, ["evaluate", *where, "--recs", str(tmp_path / "v1"), "--version", "V1"])
    assert v1.exit_code == 0, v1.output
    assert "verdict V1: PASS" in v1.output
    verdict = json.loads((Path(lake) / "pipeline" / "reports" / "verdict.json").read_text())
    assert verdict["verdict"] == "PASS" and verdict["model_version"] == "V1"
    assert Path(verdict["data_docs"]).is_file()

    v2 = runner.invoke(
        cli, ["evaluate", *where, "--recs", str(tmp_path / "v2.parquet"), "--version", "V2", "--baseline", "V1",
              "--verdict", str(tmp_path / "v2.json")],
    )
    assert v2.exit_code == 3, v2.output
    assert json.loads((tmp_path / "v2.json").read_text())["verdict"] == "WARN"

    compared = runner.invoke(cli, ["compare", *where, "--baseline", "V1", "--candidate", "V2"])
    assert compared.exit_code == 3, compared.output
    assert "normalized_affinity vs baseline (warn margin)" in compared.output

    v4 = runner.invoke(cli, ["evaluate", *where, "--recs", str(tmp_path / "v4"), "--version", "V4"])
    assert v4.exit_code == 1, v4.output
    assert "verdict V4: FAIL (user coverage)" in v4.output or "verdict V4: FAIL (recommendations within k)" in v4.output

    data = runner.invoke(cli, ["validate-data", *where])
    assert data.exit_code == 0, data.output
    assert "planted class mix above lower bound" in data.output

    bad = runner.invoke(cli, ["evaluate", *where, "--recs", str(tmp_path / "v2.parquet"), "--version", "V9",
                              "--product-col", "item_id"])
    assert bad.exit_code == 2
    assert "expected a column 'item_id'" in bad.output
    evaluations = storage.read_table(spark, storage.table_path(lake, "pipeline", "evaluations"))
    assert evaluations.where("model_version = 'V9'").count() == 0

    unknown = runner.invoke(cli, ["compare", *where, "--baseline", "V1", "--candidate", "V7"])
    assert unknown.exit_code == 2
    assert "expected one of the evaluated versions ['V1', 'V2', 'V4']" in unknown.output

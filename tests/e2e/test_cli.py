"""The recspark command as a user runs it: exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyspark.sql import SparkSession

from recspark.cli import cli
from tests.builders import tiny_overrides


def _generate_args(lake: Path, *extra: str) -> list[str]:
    args = ["generate", "--profile", "local", "--lake", str(lake), "--dataset", "cli", "--master", "local[2]"]
    for item in tiny_overrides():
        args += ["--set", item]
    return args + list(extra)


@pytest.mark.slow
def test_generate_then_check_data(spark: SparkSession, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, _generate_args(tmp_path, "--seed", "11", "--check"))
    assert result.exit_code == 0, result.output
    assert "interactions" in result.output and "check-data: PASS" in result.output
    manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    assert manifest["seed"] == 11
    again = runner.invoke(cli, ["check-data", "--lake", str(tmp_path), "--dataset", "cli"])
    assert again.exit_code == 0, again.output
    assert "mix U0->P0" in again.output


@pytest.mark.slow
def test_check_data_exits_1_when_the_plan_is_not_reproduced(spark: SparkSession, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, _generate_args(tmp_path)).exit_code == 0
    path = tmp_path / "cli" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["users"]["counts"] = [c + 1 for c in manifest["users"]["counts"]]
    path.write_text(json.dumps(manifest))
    result = runner.invoke(cli, ["check-data", "--lake", str(tmp_path), "--dataset", "cli"])
    assert result.exit_code == 1
    assert "class size U0" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "users.count=-3"], "users.count: expected a positive integer, got -3"),
        (["--set", "affinity.row=[1, 2]"], "affinity.row: expected a list of 5 probabilities"),
        (["--set", "interactions.noise_share=2"], "interactions.noise_share: expected a probability in [0, 1]"),
        (["--set", "bogus=1"], "bogus: expected one of the keys"),
        (["--profile", "nope"], "--profile: expected one of local, staging, production"),
        (["--conf", "spark.executor.memory"], "--conf: expected key=value"),
        (["--dataset", "../escape"], "--dataset: expected letters, digits"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, extra: list[str], message: str) -> None:
    lake = tmp_path / "lake"
    result = CliRunner().invoke(cli, _generate_args(lake, *extra))
    assert result.exit_code == 2, result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("recspark:")]
    assert len(error_lines) == 1 and message in error_lines[0], result.output
    assert not lake.exists()


def test_check_data_on_a_missing_dataset_says_what_is_missing(spark: SparkSession, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-data", "--lake", str(tmp_path), "--dataset", "absent"])
    assert result.exit_code == 2
    assert "manifest" in result.output and "run recspark generate first" in result.output


def test_bad_lake_scheme_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-data", "--lake", "ftp://host/lake", "--dataset", "x"])
    assert result.exit_code == 2
    assert "expected a folder or an s3a:// URI" in result.output

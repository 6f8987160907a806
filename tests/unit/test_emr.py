"""recspark emr-steps: the steps JSON for aws emr add-steps."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from recspark.cli import cli


def test_steps_run_generate_evaluate_and_validate_through_command_runner(tmp_path: Path) -> None:
    out = tmp_path / "steps.json"
    result = CliRunner().invoke(cli, ["emr-steps", "--dataset", "staging1", "--version", "V2", "--baseline", "V1",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    steps = json.loads(out.read_text())
    assert [s["Name"] for s in steps] == [
        "recspark generate staging1", "recspark evaluate staging1 V2", "recspark validate-lake staging1"]
    for s in steps:
        args = s["HadoopJarStep"]["Args"]
        assert s["HadoopJarStep"]["Jar"] == "command-runner.jar" and args[0] == "spark-submit"
        assert args[args.index("--py-files") + 1].endswith("/recspark.zip")
        assert args[args.index("--lake") + 1] == "s3a://my-staging-bucket/recspark-lake"
        assert "spark.yarn.appMasterEnv.RECSPARK_CONF_DIR=." in args
    evaluate = steps[1]["HadoopJarStep"]["Args"]
    assert evaluate[evaluate.index("--recs") + 1] == "s3a://my-staging-bucket/recspark-lake/staging1/recommendations/V2"
    assert evaluate[evaluate.index("--baseline") + 1] == "V1"
    assert any(a.endswith("/jobs/validate_lake.py") for a in steps[2]["HadoopJarStep"]["Args"])


def test_bad_emr_settings_are_input_errors(tmp_path: Path) -> None:
    conf = tmp_path / "emr.yaml"
    conf.write_text("release_label: emr-spark-8.0.0\nlake: /local/folder\ncode: s3://b/c\n")
    result = CliRunner().invoke(cli, ["emr-steps", "--emr-conf", str(conf), "--dataset", "d"])
    assert result.exit_code == 2 and "lake: expected an s3:// or s3a:// URI" in result.output
    bad_name = CliRunner().invoke(cli, ["emr-steps", "--dataset", "a/b"])
    assert bad_name.exit_code == 2 and "--dataset: expected letters" in bad_name.output

"""EMR steps for ``aws emr add-steps``: command-runner.jar running spark-submit on the cluster.

The code travels as files in S3 (``code``): recspark.zip for ``--py-files``, the job scripts
and the YAML profiles (shipped with ``--files`` and found through RECSPARK_CONF_DIR in the
container's working directory). Delta comes from the release (delta-defaults), not from jars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from recspark.config import read_settings
from recspark.errors import ConfigError

PROFILE_FILES = ("local.yaml", "staging.yaml", "production.yaml", "gate.yaml", "model.yaml")


@dataclass(frozen=True)
class EmrConfig:
    release_label: str
    lake: str
    code: str
    deploy_mode: str = "cluster"
    action_on_failure: str = "CONTINUE"
    configurations: list[dict[str, Any]] = field(default_factory=list)
    spark_conf: dict[str, str] = field(default_factory=dict)


def load_emr_config(path: str | None = None) -> EmrConfig:
    data = read_settings(path, "emr.yaml", "--emr-conf", "a YAML file of EMR settings", ())
    known = set(EmrConfig.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(unknown[0], f"one of the keys {', '.join(sorted(known))}", "unknown key")
    for key in ("release_label", "lake", "code"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ConfigError(key, "a non-empty string", data.get(key))
    if not data["lake"].startswith(("s3://", "s3a://")):
        raise ConfigError("lake", "an s3:// or s3a:// URI", data["lake"])
    if data.get("deploy_mode", "cluster") not in ("cluster", "client"):
        raise ConfigError("deploy_mode", "cluster or client", data.get("deploy_mode"))
    if data.get("action_on_failure", "CONTINUE") not in ("CONTINUE", "CANCEL_AND_WAIT", "TERMINATE_CLUSTER"):
        raise ConfigError("action_on_failure", "CONTINUE, CANCEL_AND_WAIT or TERMINATE_CLUSTER",
                          data.get("action_on_failure"))
    spark_conf = {str(k): str(v) for k, v in (data.get("spark_conf") or {}).items()}
    return EmrConfig(data["release_label"], data["lake"].rstrip("/"), data["code"].rstrip("/"),
                     data.get("deploy_mode", "cluster"), data.get("action_on_failure", "CONTINUE"),
                     list(data.get("configurations") or []), spark_conf)


def step(emr: EmrConfig, name: str, job: str, args: Sequence[str]) -> dict[str, Any]:
    """One add-steps entry running ``jobs/<job>.py`` with ``args``."""
    submit = ["spark-submit", "--deploy-mode", emr.deploy_mode, "--name", f"recspark-{job}",
              "--py-files", f"{emr.code}/recspark.zip",
              "--files", ",".join(f"{emr.code}/conf/{f}" for f in PROFILE_FILES),
              "--conf", "spark.yarn.appMasterEnv.RECSPARK_CONF_DIR=.",
              "--conf", "spark.executorEnv.RECSPARK_CONF_DIR=."]
    for key, value in sorted(emr.spark_conf.items()):
        submit += ["--conf", f"{key}={value}"]
    submit += [f"{emr.code}/jobs/{job.replace('-', '_')}.py", *args]
    return {"Name": name, "ActionOnFailure": emr.action_on_failure,
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": submit}}


def pipeline_steps(
    emr: EmrConfig, dataset: str, *, profile: str, version: str, recs: str | None, baseline: str | None,
    reports: str,
) -> list[dict[str, Any]]:
    """generate, evaluate and validate for one dataset, in that order."""
    where = ["--lake", emr.lake, "--dataset", dataset]
    evaluate = [*where, "--version", version, "--reports", reports]
    evaluate += ["--recs", recs] if recs else ["--recs", f"{emr.lake}/{dataset}/recommendations/{version}"]
    if baseline:
        evaluate += ["--baseline", baseline]
    return [
        step(emr, f"recspark generate {dataset}", "generate", ["--profile", profile, *where, "--check"]),
        step(emr, f"recspark evaluate {dataset} {version}", "evaluate", evaluate),
        step(emr, f"recspark validate-lake {dataset}", "validate-lake", [*where, "--reports", reports]),
    ]

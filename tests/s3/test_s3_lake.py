"""The lake on S3: generation, evaluation, validation and purge against an S3-compatible server.

The server is moto in server mode on loopback; Spark reaches it through s3a (hadoop-aws
matching pyspark's Hadoop, fetched by `recspark setup-jars --s3`). Every byte goes through
the S3 API: Delta logs, Parquet files, the manifest (a single object write) and the listing
that purge and the stored-versions lookup use.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyspark.sql import SparkSession

from recspark.cli import cli
from recspark.session import s3_jars
from recspark.storage import lake as storage
from tests.builders import recommendations_from_labels, tiny_overrides

BUCKET = "recspark-staging"
LAKE = f"s3a://{BUCKET}/lake"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not s3_jars():
        pytest.fail("the s3a jars are missing: run `recspark setup-jars --s3` (make test does)")
    import boto3

    port = _free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if time.monotonic() > deadline:
                raise TimeoutError("moto server did not start")
            time.sleep(0.2)
        client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                              aws_secret_access_key="testing", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        hadoop = spark._jsc.hadoopConfiguration()
        settings = {
            "fs.s3a.endpoint": endpoint, "fs.s3a.endpoint.region": "us-east-1", "fs.s3a.path.style.access": "true",
            "fs.s3a.connection.ssl.enabled": "false", "fs.s3a.access.key": "testing", "fs.s3a.secret.key": "testing",
            "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        }
        for key, value in settings.items():
            hadoop.set(key, value)
            spark.conf.set(f"spark.hadoop.{key}", value)
        yield client
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _keys(client, prefix: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


@pytest.mark.slow
def test_generate_evaluate_validate_and_purge_on_s3(spark: SparkSession, s3, tmp_path: Path) -> None:
    runner = CliRunner()
    where = ["--lake", LAKE, "--dataset", "s3d"]
    reports = ["--reports", str(tmp_path / "reports")]
    sets = [arg for item in tiny_overrides() for arg in ("--set", item)]
    generated = runner.invoke(cli, ["generate", *where, *sets, "--check"])
    assert generated.exit_code == 0, generated.output
    assert "check-data: PASS" in generated.output
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key="lake/s3d/manifest.json")["Body"].read())
    assert manifest["tables"]["interactions"]["path"] == f"{LAKE}/s3d/interactions"
    assert any(k.startswith("lake/s3d/interactions/_delta_log/") for k in _keys(s3, "lake/s3d/"))

    labels = storage.read_table(spark, f"{LAKE}/s3d/labels")
    recommendations_from_labels(spark, labels).write.parquet(f"s3a://{BUCKET}/incoming/v1.parquet")
    evaluated = runner.invoke(cli, ["evaluate", *where, "--recs", f"s3a://{BUCKET}/incoming/v1.parquet",
                                    "--version", "V1", *reports])
    assert evaluated.exit_code == 0, evaluated.output
    assert "verdict V1: PASS" in evaluated.output
    assert (tmp_path / "reports" / "index.html").is_file()

    mutated = runner.invoke(cli, ["mutate", *where, "--from", "V1", "--kind", "random", "--to", "V3"])
    assert mutated.exit_code == 2 and "stored versions: none" in mutated.output  # V1 came from a file
    spark.read.parquet(f"s3a://{BUCKET}/incoming/v1.parquet").selectExpr(
        "'V1' as model_version", "user_id", "product_id", "rank", "cast(null as double) as score"
    ).write.format("delta").save(f"{LAKE}/s3d/recommendations/V1")
    mutated = runner.invoke(cli, ["mutate", *where, "--from", "V1", "--kind", "random", "--to", "V3"])
    assert mutated.exit_code == 0, mutated.output
    v3 = runner.invoke(cli, ["evaluate", *where, "--recs", f"{LAKE}/s3d/recommendations/V3", "--version", "V3",
                             "--baseline", "V1", *reports])
    assert v3.exit_code == 1 and "verdict V3: FAIL" in v3.output

    for command in (["validate-data", *where, *reports], ["validate-lake", *where, *reports]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["validate-lake", *where, *reports])
    assert again.exit_code == 0 and "nothing new since version 0" in again.output

    dry = runner.invoke(cli, ["purge", *where, "--dry-run"])
    assert dry.exit_code == 0 and "would remove" in dry.output
    assert _keys(s3, "lake/s3d/manifest.json")
    purged = runner.invoke(cli, ["purge", *where])
    assert purged.exit_code == 0, purged.output
    assert _keys(s3, "lake/s3d/") == []
    assert _keys(s3, "incoming/")  # outside the dataset: untouched

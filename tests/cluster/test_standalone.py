"""spark-submit.sh against a real Spark standalone cluster: a master and two workers on loopback.

The cluster is started from the installed pyspark (spark-class with the deploy Master and
Worker classes); executors run in their own JVMs and Python workers, so the jobs must travel
as spark-submit ships them. Generation and evaluation there must give the same tables as
local mode, bit for bit (order-independent fingerprints).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyspark
import pytest
from pyspark.sql import SparkSession

from recspark.evaluation.evaluate import EVALUATIONS
from recspark.fingerprint import fingerprint
from recspark.generate import generate
from recspark.storage import lake as storage
from tests.builders import recommendations_from_labels, tiny_config, tiny_overrides

ROOT = Path(__file__).resolve().parents[2]
SPARK_HOME = Path(pyspark.__file__).parent
TABLES = ("users", "products", "labels", "interactions")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise TimeoutError(f"standalone cluster: {what} not up after {seconds:.0f}s")


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "SPARK_HOME": str(SPARK_HOME), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(work / "logs"),
        "SPARK_WORKER_DIR": str(work / "work"), "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable, "VENV": sys.prefix,
    })
    return env


@pytest.fixture(scope="module")
def cluster_at(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("standalone")
    env = _env(work)
    port, ui = _free_port(), _free_port()
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    logs = open(work / "cluster.log", "w")  # noqa: SIM115 - closed at teardown
    master = subprocess.Popen(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
         "--webui-port", str(ui)], env=env, stdout=logs, stderr=subprocess.STDOUT)
    url = f"spark://127.0.0.1:{port}"
    processes = [master]
    try:
        _wait_for(lambda: _listening(port), "master")
        for _ in range(2):
            processes.append(subprocess.Popen(
                [spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
                 "--cores", "1", "--memory", "1g", "--webui-port", str(_free_port()),
                 "--work-dir", str(work / "work")], env=env, stdout=logs, stderr=subprocess.STDOUT))
        _wait_for(lambda: _workers(ui) >= 2, "two workers")
        yield url, work
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _workers(ui_port: int) -> int:
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as response:
            state = json.load(response)
    except OSError:
        return 0
    return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")


def _submit(url: str, work: Path, *args: str, pack: bool = False) -> subprocess.CompletedProcess[str]:
    env = _env(work)
    if pack:
        env["RECSPARK_PACK"] = "1"
    result = subprocess.run(
        [str(ROOT / "spark-submit.sh"), "--master", url, *args], env=env, capture_output=True, text=True, timeout=600,
    )
    return result


@pytest.mark.slow
def test_jobs_on_a_standalone_cluster_give_the_local_tables(
    cluster_at: tuple[str, Path], spark: SparkSession, tmp_path: Path
) -> None:
    cluster, work = cluster_at
    local_lake, cluster_lake = str(tmp_path / "local"), str(tmp_path / "cluster")
    generate(spark, tiny_config(), local_lake, "d")
    sets = [arg for item in tiny_overrides() for arg in ("--set", item)]
    generated = _submit(cluster, tmp_path, "generate", "--lake", cluster_lake, "--dataset", "d", *sets,
                        "--conf", "spark.executor.memory=768m", "--conf", "spark.cores.max=2")
    assert generated.returncode == 0, generated.stderr[-3000:]
    assert "app-" in generated.stderr or "StandaloneSchedulerBackend" in generated.stderr
    for table in TABLES:
        here = fingerprint(storage.read_table(spark, storage.table_path(local_lake, "d", table)))
        there = fingerprint(storage.read_table(spark, storage.table_path(cluster_lake, "d", table)))
        assert here == there, table

    labels = storage.read_table(spark, storage.table_path(local_lake, "d", "labels"))
    recs = str(tmp_path / "v1.parquet")
    recommendations_from_labels(spark, labels, noise_share=0.15).write.parquet(recs)
    for lake, runner in ((local_lake, None), (cluster_lake, cluster)):
        args = ["evaluate", "--lake", lake, "--dataset", "d", "--recs", recs, "--version", "V1"]
        if runner is None:
            from click.testing import CliRunner

            from recspark.cli import cli

            assert CliRunner().invoke(cli, args).exit_code == 0
        else:
            evaluated = _submit(runner, tmp_path, *args)
            assert evaluated.returncode == 0, evaluated.stderr[-3000:]
            assert "verdict V1: PASS" in evaluated.stdout
    # Python on the executors (the mutants' zipWithIndex) from the packed environment on --archives.
    for lake in (local_lake, cluster_lake):
        spark.read.parquet(recs).selectExpr(
            "'V1' as model_version", "user_id", "product_id", "rank", "cast(null as double) as score"
        ).write.format("delta").save(f"{lake}/d/recommendations/V1")
    from click.testing import CliRunner

    from recspark.cli import cli

    assert CliRunner().invoke(cli, ["mutate", "--lake", local_lake, "--dataset", "d", "--from", "V1",
                                    "--kind", "random", "--to", "V3"]).exit_code == 0
    mutated = _submit(cluster, tmp_path, "mutate", "--lake", cluster_lake, "--dataset", "d", "--from", "V1",
                      "--kind", "random", "--to", "V3", pack=True)
    assert mutated.returncode == 0, mutated.stderr[-3000:]
    assert "--archives" in (ROOT / "spark-submit.sh").read_text()
    unpacked = list((work / "work").glob("app-*/*/environment/bin/python"))
    assert unpacked, "the executors did not unpack the environment archive"
    here_v3 = storage.read_table(spark, f"{local_lake}/d/recommendations/V3")
    there_v3 = storage.read_table(spark, f"{cluster_lake}/d/recommendations/V3")
    assert here_v3.count() > 0 and fingerprint(here_v3) == fingerprint(there_v3)

    # Same figures; sums of doubles may differ in the last bits with the cluster's partitioning.
    here, there = (_metrics(spark, lake) for lake in (local_lake, cluster_lake))
    assert here.keys() == there.keys() and len(here) > 50
    for key, (value, n) in here.items():
        assert there[key][1] == n, key
        assert (value is None and there[key][0] is None) or abs(value - there[key][0]) <= 1e-9, key


def _metrics(spark: SparkSession, lake: str) -> dict[tuple[str, str], tuple[float | None, int]]:
    rows = storage.read_table(spark, storage.table_path(lake, "d", EVALUATIONS)).collect()
    return {(r["metric"], r["slice"]): (r["value"], r["n"]) for r in rows}

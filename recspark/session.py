"""The one place a SparkSession is built, with Delta wired in.

Locally the Delta jars come from a folder filled once by Maven (``recspark setup-jars``, run
by ``make``); under spark-submit the submitter has already put Delta on the class path
(spark-submit.sh passes ``--jars``; EMR ships its own), so only SQL settings are added.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from pyspark.sql import SparkSession

from recspark.errors import SetupError

log = logging.getLogger(__name__)

SCALA_VERSION = "2.13"

DELTA_SQL_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}

# Applied to every session recspark builds; a --conf of the same key wins.
DEFAULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.ansi.enabled": "true",
    # INT64 microseconds rather than legacy INT96: standard, and Delta writes it ~30% faster.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


def delta_coordinates() -> list[str]:
    """Maven coordinates of the Delta jars matching the installed pyspark and delta-spark."""
    spark_minor = ".".join(metadata.version("pyspark").split(".")[:2])
    delta = metadata.version("delta-spark")
    # Delta 4.0 (Spark 4.0) is published as delta-spark_2.13; later releases name the Spark minor.
    artifact = f"delta-spark_{SCALA_VERSION}" if delta.startswith("4.0.") else f"delta-spark_{spark_minor}_{SCALA_VERSION}"
    return [
        f"io.delta:{artifact}:{delta}",
        f"io.delta:delta-storage:{delta}",
    ]


# The AWS SDK v2 bundle each Hadoop release builds hadoop-aws against (hadoop-project's pom).
AWS_SDK_FOR_HADOOP = {"3.4.0": "2.23.19", "3.4.1": "2.24.6", "3.4.2": "2.29.52"}


def hadoop_version() -> str:
    """The Hadoop version of the installed pyspark, from its hadoop-client-api jar."""
    import pyspark

    jars = Path(pyspark.__file__).parent / "jars"
    for jar in sorted(jars.glob("hadoop-client-api-*.jar")):
        return jar.name[len("hadoop-client-api-") : -len(".jar")]
    raise SetupError(f"{jars}: expected pyspark's hadoop-client-api jar, found none")


def s3_coordinates() -> list[str]:
    """hadoop-aws matching pyspark's Hadoop, and the AWS SDK bundle it was built with: s3a:// lakes."""
    hadoop = hadoop_version()
    sdk = AWS_SDK_FOR_HADOOP.get(hadoop)
    if sdk is None:
        raise SetupError(f"no known AWS SDK version for Hadoop {hadoop}; pass --extra with the coordinates")
    return [f"org.apache.hadoop:hadoop-aws:{hadoop}", f"software.amazon.awssdk:bundle:{sdk}"]


def s3_jars(folder: Path | None = None) -> list[Path]:
    """The s3a jars if fetched (``recspark setup-jars --s3``), else none."""
    folder = folder or jars_dir()
    try:
        jars = [_jar_file(folder, c) for c in s3_coordinates()]
    except SetupError:
        return []
    return jars if all(j.is_file() for j in jars) else []


def jars_dir() -> Path:
    """Where resolved jars are cached: $RECSPARK_JARS_DIR, else ~/.cache/recspark/jars."""
    env = os.environ.get("RECSPARK_JARS_DIR")
    return Path(env) if env else Path.home() / ".cache" / "recspark" / "jars"


def _jar_file(folder: Path, coordinate: str) -> Path:
    _, artifact, version = coordinate.split(":")
    return folder / f"{artifact}-{version}.jar"


def delta_jars(folder: Path | None = None) -> list[Path]:
    """Paths of the Delta jars, or a SetupError saying how to fetch them."""
    folder = folder or jars_dir()
    jars = [_jar_file(folder, c) for c in delta_coordinates()]
    missing = [j.name for j in jars if not j.is_file()]
    if missing:
        raise SetupError(
            f"Delta jars missing from {folder}: {', '.join(missing)}; "
            "run `recspark setup-jars` (make does) or set RECSPARK_JARS_DIR"
        )
    return jars


def fetch_jars(folder: Path | None = None, extra: tuple[str, ...] = ()) -> list[Path]:
    """Resolve the Delta jars (and ``extra`` coordinates) from Maven Central into ``folder``.

    Already present jars are kept, so a second run costs nothing and needs no network.
    """
    folder = folder or jars_dir()
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [*delta_coordinates(), *extra]
    todo = [c for c in wanted if not _jar_file(folder, c).is_file()]
    if todo and shutil.which("mvn") is None:
        raise SetupError("Maven (mvn) is needed once to fetch the Delta jars; install maven or set RECSPARK_JARS_DIR")
    for coordinate in todo:
        log.info("fetching %s with Maven", coordinate)
        result = subprocess.run(
            [
                "mvn", "-q", "-B", "dependency:copy",
                f"-Dartifact={coordinate}",
                f"-DoutputDirectory={folder}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not _jar_file(folder, coordinate).is_file():
            tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
            raise SetupError(f"Maven could not fetch {coordinate}: {' | '.join(tail)}")
    return [_jar_file(folder, c) for c in wanted]


def local_cores(master: str) -> int | None:
    """Cores of a local master (local, local[4], local[*]); None for a cluster master."""
    if master == "local":
        return 1
    if master.startswith("local["):
        inner = master[len("local[") :].split(",")[0].rstrip("]")
        return os.cpu_count() or 1 if inner == "*" else max(1, int(inner))
    return None


def local_conf(master: str) -> dict[str, str]:
    """Parallelism sized to a local machine: Spark's defaults (200 shuffle partitions, 50 Delta
    snapshot partitions) are for clusters and cost seconds per small job on two cores."""
    cores = local_cores(master)
    if cores is None:
        return {}
    return {
        "spark.sql.shuffle.partitions": str(max(8, 4 * cores)),
        "spark.databricks.delta.snapshotPartitions": str(max(2, cores)),
    }


def under_spark_submit() -> bool:
    """True when a JVM already launched this Python driver (spark-submit, EMR steps)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def build_session(
    master: str | None = "local[*]",
    conf: Mapping[str, str] | None = None,
    app_name: str = "recspark",
) -> SparkSession:
    """A SparkSession with Delta; reuses the active one if there is one.

    ``master`` and the local Delta jars are only applied when recspark starts the JVM
    itself; under spark-submit they come from the submitter.
    """
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName(app_name)
    submitted = under_spark_submit()
    local = {} if submitted or not master else local_conf(master)
    settings = {**DEFAULT_CONF, **local, **DELTA_SQL_CONF, **(conf or {})}
    if not submitted:
        if master:
            builder = builder.master(master)
        user_jars = settings.get("spark.jars", "")
        if "spark.jars.packages" not in settings and "delta-spark" not in user_jars:
            jars = ",".join(str(j) for j in [*delta_jars(), *s3_jars()])
            settings["spark.jars"] = f"{user_jars},{jars}" if user_jars else jars
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark

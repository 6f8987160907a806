"""Delta tables under a lake root: ``<lake>/<dataset>/<table>``.

The lake root is a local folder or a Hadoop URI (s3a://bucket/prefix). Each write is one
Delta commit, so a reader always sees a whole version of a table, never half a write.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.utils import AnalysisException

from recspark.errors import DatasetError, InputError

_DATASET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def is_local(uri: str) -> bool:
    """True for a plain path or a file: URI."""
    return urlparse(uri).scheme in ("", "file")


def normalize_lake(lake: str) -> str:
    """Absolute local path, or the URI as given without a trailing slash."""
    if not lake:
        raise InputError("--lake: expected a folder or an s3a:// URI, got an empty value")
    if is_local(lake):
        path = urlparse(lake).path if lake.startswith("file:") else lake
        return os.path.abspath(os.path.expanduser(path))
    scheme = urlparse(lake).scheme
    if scheme not in ("s3", "s3a", "hdfs", "abfs", "abfss", "gs"):
        raise InputError(f"--lake: expected a folder or an s3a:// URI, got scheme {scheme!r} in {lake!r}")
    return lake.rstrip("/")


def check_dataset_name(dataset: str) -> str:
    if not _DATASET.match(dataset):
        raise InputError(
            f"--dataset: expected letters, digits, '.', '_' or '-' (at most 128), got {dataset!r}"
        )
    return dataset


def dataset_path(lake: str, dataset: str) -> str:
    return f"{normalize_lake(lake)}/{check_dataset_name(dataset)}"


def table_path(lake: str, dataset: str, table: str) -> str:
    return f"{dataset_path(lake, dataset)}/{table}"


@dataclass(frozen=True)
class Commit:
    """One Delta commit recspark made: the table, its new version, and the rows it wrote."""

    path: str
    version: int
    rows: int


def write_table(
    df: DataFrame, path: str, partition_by: Sequence[str] = (), options: Mapping[str, str] | None = None
) -> Commit:
    """Replace the table at ``path`` with ``df`` in one Delta commit.

    Readers see the previous version until the commit lands, and the new one after; the row
    count comes from the commit's own metrics, so no second pass over the data is needed.
    """
    writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    for key, value in (options or {}).items():
        writer = writer.option(key, value)
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    writer.save(path)
    return last_commit(df.sparkSession, path)


def last_commit(spark: SparkSession, path: str) -> Commit:
    """Version and written rows of the latest commit of the table at ``path``."""
    row = DeltaTable.forPath(spark, path).history(1).select("version", "operationMetrics").first()
    if row is None:
        raise DatasetError(f"{path}: expected a Delta table with at least one commit, found none")
    metrics = row["operationMetrics"] or {}
    return Commit(path=path, version=int(row["version"]), rows=int(metrics.get("numOutputRows", 0)))


def is_table(spark: SparkSession, path: str) -> bool:
    return DeltaTable.isDeltaTable(spark, path)


def read_table(spark: SparkSession, path: str, version: int | None = None) -> DataFrame:
    """The table at ``path`` (at ``version`` if given), or a DatasetError saying what is missing."""
    if not is_table(spark, path):
        raise DatasetError(f"{path}: expected a Delta table, found none (generate the dataset first)")
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    try:
        return reader.load(path)
    except AnalysisException as exc:
        raise DatasetError(f"{path}: cannot read version {version}: {exc}") from None


def replace_where(df: DataFrame, path: str, condition: str) -> Commit:
    """Replace the rows matching ``condition`` with ``df`` in one Delta commit."""
    df.write.format("delta").mode("overwrite").option("replaceWhere", condition).save(path)
    return last_commit(df.sparkSession, path)


def commit_metadata(spark: SparkSession, path: str) -> dict[str, object]:
    """The JSON ``userMetadata`` recspark stored with the latest commit of ``path`` ({} if none)."""
    import json

    row = DeltaTable.forPath(spark, path).history(1).select("userMetadata").first()
    text = row["userMetadata"] if row is not None else None
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def rows_added(spark: SparkSession, path: str, after_version: int, to_version: int) -> DataFrame:
    """Rows inserted into the table at ``path`` by commits ``after_version + 1 .. to_version``.

    Read through Delta's change data feed, so the cost follows the new data, not the table;
    ``after_version`` -1 means the whole table at ``to_version``. A table without the change
    feed enabled since that version is a DatasetError saying how to enable it.
    """
    if after_version < 0:
        return read_table(spark, path, to_version)
    try:
        changes = (
            spark.read.format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", after_version + 1)
            .option("endingVersion", to_version)
            .load(path)
        )
        inserted = changes.where(changes["_change_type"].isin("insert", "update_postimage"))
        return inserted.drop("_change_type", "_commit_version", "_commit_timestamp")
    except AnalysisException as exc:
        raise DatasetError(
            f"{path}: expected the Delta change data feed from version {after_version + 1}, found it off "
            f"({str(exc).splitlines()[0]}); enable it with ALTER TABLE delta.`{path}` SET TBLPROPERTIES "
            "(delta.enableChangeDataFeed = true)"
        ) from None


def append_rows(df: DataFrame, path: str) -> Commit:
    """Append ``df`` to the table at ``path`` (created if missing) in one commit."""
    df.write.format("delta").mode("append").save(path)
    return last_commit(df.sparkSession, path)


def jvm(spark: SparkSession) -> Any:
    """The driver's JVM gateway (a classic, non-Connect session is needed for the Hadoop file system)."""
    gateway = spark._jvm
    if gateway is None:
        raise RuntimeError("a classic (non-Connect) SparkSession is needed to reach the Hadoop file system")
    return gateway


def hadoop_path(spark: SparkSession, path: str) -> tuple[Any, Any]:
    """The Hadoop FileSystem serving ``path`` (local, s3a://, hdfs://) and the path as a Hadoop Path."""
    hpath = jvm(spark).org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark._jsc.hadoopConfiguration()), hpath


def subfolders(spark: SparkSession, path: str) -> list[str]:
    """Names of the folders directly under ``path`` ([] if it does not exist)."""
    fs, hpath = hadoop_path(spark, path)
    if not fs.exists(hpath):
        return []
    return sorted(status.getPath().getName() for status in fs.listStatus(hpath) if status.isDirectory())


def remove(spark: SparkSession, path: str) -> bool:
    """Delete ``path`` recursively through Hadoop's file system (local or s3a); False if absent."""
    fs, hpath = hadoop_path(spark, path)
    return bool(fs.exists(hpath) and fs.delete(hpath, True))

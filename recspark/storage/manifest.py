"""``<lake>/<dataset>/manifest.json``: what was planted, and which table versions hold it.

The manifest is written last, after every table commit, and replaced in one step (a rename
on a local lake, a single object write on S3). It is the dataset's commit point: the table
versions it lists are a consistent set even if a later run failed after some commits.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from recspark.errors import DatasetError
from recspark.storage.lake import dataset_path, hadoop_path, is_local, jvm, read_table

MANIFEST = "manifest.json"


def manifest_path(lake: str, dataset: str) -> str:
    return f"{dataset_path(lake, dataset)}/{MANIFEST}"


def write_manifest(spark: SparkSession, lake: str, dataset: str, manifest: dict[str, Any]) -> str:
    """Write the manifest atomically; return its path."""
    path = manifest_path(lake, dataset)
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    if is_local(path):
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path
    fs, fs_path = hadoop_path(spark, path)
    stream = fs.create(fs_path, True)
    try:
        stream.write(bytearray(text.encode()))
    finally:
        stream.close()
    return path


def read_manifest(spark: SparkSession, lake: str, dataset: str) -> dict[str, Any]:
    """The dataset's manifest, or a DatasetError naming the path that was expected."""
    path = manifest_path(lake, dataset)
    try:
        if is_local(path):
            with open(path) as handle:
                text = handle.read()
        else:
            fs, fs_path = hadoop_path(spark, path)
            if not fs.exists(fs_path):
                raise FileNotFoundError(path)
            stream = fs.open(fs_path)
            try:
                gateway = jvm(spark)
                reader = gateway.java.io.BufferedReader(gateway.java.io.InputStreamReader(stream, "UTF-8"))
                lines = []
                line = reader.readLine()
                while line is not None:
                    lines.append(line)
                    line = reader.readLine()
                text = "\n".join(lines)
            finally:
                stream.close()
    except FileNotFoundError:
        raise DatasetError(
            f"{path}: expected the manifest of dataset {dataset!r}, found no file (run recspark generate first)"
        ) from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: expected JSON, found a parse error: {exc}") from None
    if not isinstance(manifest, dict) or "affinity" not in manifest or "tables" not in manifest:
        raise DatasetError(f"{path}: expected a recspark manifest with 'affinity' and 'tables', found other JSON")
    return manifest


def manifest_table(spark: SparkSession, manifest: dict[str, Any], table: str) -> DataFrame:
    """A dataset table at the Delta version its manifest names (a consistent set with the others)."""
    entry = manifest["tables"][table]
    return read_table(spark, entry["path"], entry["version"])

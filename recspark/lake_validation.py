"""Scheduled datalake validation: only the interactions added since the last validated version.

A watermark table (``<lake>/<dataset>/validation_watermark``) holds, per table, the last Delta
version whose new rows passed; a run validates the rows inserted after it (read through the
change data feed, so a daily run costs in proportion to the day's data), appends one row to
``<lake>/<dataset>/validation_history`` and its GX results to the Data Docs, and moves the
watermark only on PASS, so failing rows are validated again until they are fixed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from recspark import columns as C
from recspark.gate import Verdict, decide, to_checks
from recspark.storage import lake as storage
from recspark.storage.manifest import read_manifest
from recspark.validation.gx import Validator
from recspark.validation.rules import Rule, data_rules

WATERMARK = "validation_watermark"
HISTORY = "validation_history"

WATERMARK_SCHEMA = T.StructType([
    T.StructField("table", T.StringType(), False),
    T.StructField("version", T.LongType(), False),
    T.StructField("validated_at", T.TimestampType(), False),
])
HISTORY_SCHEMA = T.StructType([
    T.StructField("run_at", T.TimestampType(), False),
    T.StructField("table", T.StringType(), False),
    T.StructField("from_version", T.LongType(), False),
    T.StructField("to_version", T.LongType(), False),
    T.StructField("rows", T.LongType(), False),
    T.StructField("verdict", T.StringType(), False),
    T.StructField("failed_checks", T.StringType(), True),
])


@dataclass(frozen=True)
class LakeRun:
    """One validation run: the versions it covered, the rows it read, and the verdict."""

    table: str
    from_version: int  # first version whose rows were validated
    to_version: int
    rows: int
    verdict: Verdict


def new_rows_rules(manifest: dict) -> list[Rule]:
    """The interactions rules that hold for any subset of rows (no table row count), plus unique event ids."""
    schemas = {name: [f.name for f in C.SCHEMAS[name]] for name in C.TABLES}
    rules = [r for r in data_rules(manifest, schemas)[C.INTERACTIONS] if r.kind != "row_count"]
    return [*rules, Rule("interactions.event_id unique", "unique", C.EVENT_ID)]


def watermark(spark: SparkSession, lake: str, dataset: str, table: str) -> int:
    """The last validated version of ``table`` (-1 when never validated)."""
    path = storage.table_path(lake, dataset, WATERMARK)
    if not storage.is_table(spark, path):
        return -1
    row = storage.read_table(spark, path).where(F.col("table") == F.lit(table)).agg(F.max("version")).first()
    return -1 if row is None or row[0] is None else int(row[0])


def validate_lake(spark: SparkSession, validator: Validator, lake: str, dataset: str) -> LakeRun:
    """Validate the interactions added since the watermark; record the run; move the watermark on PASS."""
    manifest = read_manifest(spark, lake, dataset)
    path = storage.table_path(lake, dataset, C.INTERACTIONS)
    current = storage.last_commit(spark, path).version
    last = watermark(spark, lake, dataset, C.INTERACTIONS)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if last >= current:
        verdict = Verdict("PASS", dataset, [], validator.docs_index,
                          {"kind": "lake", "table": C.INTERACTIONS, "from_version": current + 1,
                           "to_version": current, "rows": 0})
        run = LakeRun(C.INTERACTIONS, current + 1, current, 0, verdict)
    else:
        added = storage.rows_added(spark, path, last, current).select(*[f.name for f in C.SCHEMAS[C.INTERACTIONS]])
        added = added.persist()
        rows = added.count()
        outcomes = validator.run(f"{dataset}-lake-v{last + 1}-v{current}", [("lake-interactions", added, new_rows_rules(manifest))])
        checks = to_checks(outcomes)
        verdict = Verdict(decide(checks), dataset, checks, validator.docs_index,
                          {"kind": "lake", "table": C.INTERACTIONS, "from_version": last + 1,
                           "to_version": current, "rows": rows})
        added.unpersist()
        run = LakeRun(C.INTERACTIONS, last + 1, current, rows, verdict)
    failed = ", ".join(c.check for c in run.verdict.checks if c.status != "PASS") or None
    history = spark.createDataFrame(
        [(at, run.table, run.from_version, run.to_version, run.rows, run.verdict.verdict, failed)], HISTORY_SCHEMA
    )
    storage.append_rows(history, storage.table_path(lake, dataset, HISTORY))
    if run.verdict.verdict == "PASS" and run.to_version > last:
        mark = spark.createDataFrame([(run.table, run.to_version, at)], WATERMARK_SCHEMA)
        mark_path = storage.table_path(lake, dataset, WATERMARK)
        if storage.is_table(spark, mark_path):
            storage.replace_where(mark, mark_path, f"table = '{run.table}'")
        else:
            storage.write_table(mark, mark_path)
    return run


def format_run(run: LakeRun) -> str:
    if run.rows == 0 and run.from_version > run.to_version:
        head = f"{run.table}: nothing new since version {run.to_version} (watermark)"
    else:
        head = f"{run.table}: validated {run.rows:,} rows added in versions {run.from_version}..{run.to_version}"
    failed = [c for c in run.verdict.checks if c.status != "PASS"]
    lines = [head]
    lines += [f"  FAIL   {c.check}: observed {c.observed}, expected {c.threshold}" for c in failed]
    lines.append(f"validate-lake {run.verdict.subject}: {run.verdict.verdict} ({len(run.verdict.checks)} checks)")
    return "\n".join(lines)

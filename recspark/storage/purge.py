"""Remove one synthetic population and everything recspark wrote for it, and nothing else.

Guards: the dataset folder must hold a recspark manifest naming that dataset; only the
entries recspark writes there are removed (anything else is listed and left, and then the
folder stays); rows are deleted from other tables only where an id column falls in one of the
dataset's reserved id ranges. The manifest goes last, so an interrupted purge can be rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.errors import DatasetError, InputError
from recspark.storage import lake as storage
from recspark.storage.manifest import MANIFEST, read_manifest

# What recspark writes under <lake>/<dataset>; nothing else is touched.
OWNED = (
    C.USERS, C.PRODUCTS, C.LABELS, C.INTERACTIONS, "evaluations", "violations", "recommendations",
    "validation_history", "validation_watermark", "reports",
)
ID_COLUMNS = {C.USER_ID: "users", C.PRODUCT_ID: "products", C.EVENT_ID: "events"}


@dataclass
class Entry:
    path: str
    kind: str  # "delta table", "folder" or "file"
    rows: int | None = None


@dataclass
class TableRows:
    """Rows of a staging table with ids in the dataset's ranges."""

    path: str
    condition: str
    rows_before: int
    matching: int
    rows_after: int | None = None


@dataclass
class PurgePlan:
    root: str
    entries: list[Entry] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    tables: list[TableRows] = field(default_factory=list)
    done: bool = False


def id_ranges(manifest: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Column -> [low, high) of the dataset's reserved ids."""
    return {
        C.USER_ID: tuple(manifest["users"]["id_range"]),
        C.PRODUCT_ID: tuple(manifest["products"]["id_range"]),
        C.EVENT_ID: tuple(manifest["event_id_range"]),
    }  # type: ignore[return-value]


def range_condition(columns: Sequence[str], ranges: dict[str, tuple[int, int]]) -> str:
    parts = [f"({col} >= {ranges[col][0]} AND {col} < {ranges[col][1]})" for col in columns if col in ranges]
    return " OR ".join(parts)


def plan_purge(spark: SparkSession, lake: str, dataset: str, tables: Sequence[str] = ()) -> PurgePlan:
    """What a purge would remove; raises if the folder is not this dataset's."""
    root = storage.dataset_path(lake, dataset)
    manifest = read_manifest(spark, lake, dataset)
    if manifest.get("tool") != "recspark" or manifest.get("dataset") != dataset:
        raise DatasetError(
            f"{root}: expected a recspark manifest for dataset {dataset!r}, found one for "
            f"{manifest.get('dataset')!r} written by {manifest.get('tool')!r}; nothing removed"
        )
    plan = PurgePlan(root)
    fs, hroot = storage.hadoop_path(spark, root)
    for status in fs.listStatus(hroot):
        name = status.getPath().getName()
        path = f"{root}/{name}"
        if name == MANIFEST:
            continue
        if name in OWNED:
            if status.isDirectory() and storage.is_table(spark, path):
                plan.entries.append(Entry(path, "delta table", storage.read_table(spark, path).count()))
            else:
                plan.entries.append(Entry(path, "folder" if status.isDirectory() else "file"))
        elif not name.startswith(".manifest-"):
            plan.foreign.append(path)
    plan.entries.append(Entry(f"{root}/{MANIFEST}", "file"))
    ranges = id_ranges(manifest)
    for table in tables:
        target = storage.normalize_lake(table)
        if target == root or target.startswith(root + "/"):
            raise InputError(f"--table {table}: expected a table outside the dataset (its own tables go whole)")
        if not storage.is_table(spark, target):
            raise InputError(f"--table {table}: expected a Delta table, found none; nothing removed")
        df = storage.read_table(spark, target)
        columns = [c for c in ID_COLUMNS if c in df.columns]
        if not columns:
            raise InputError(
                f"--table {table}: expected an id column ({', '.join(ID_COLUMNS)}), found {', '.join(df.columns)}; "
                "nothing removed"
            )
        condition = range_condition(columns, ranges)
        row = df.agg(F.count(F.lit(1)).alias("n"), F.sum(F.expr(f"CASE WHEN {condition} THEN 1 ELSE 0 END")).alias("m")).first()
        assert row is not None
        plan.tables.append(TableRows(target, condition, int(row["n"]), int(row["m"] or 0)))
    return plan


def run_purge(spark: SparkSession, plan: PurgePlan) -> PurgePlan:
    """Delete the planned rows (one Delta DELETE per table), then the entries, the manifest last."""
    for rows in plan.tables:
        if rows.matching:
            DeltaTable.forPath(spark, rows.path).delete(rows.condition)
        rows.rows_after = storage.read_table(spark, rows.path).count()
    fs, _ = storage.hadoop_path(spark, plan.root)
    for entry in plan.entries:
        _, hpath = storage.hadoop_path(spark, entry.path)
        if fs.exists(hpath) and not fs.delete(hpath, True):
            raise DatasetError(f"{entry.path}: could not be removed; rerun recspark purge")
    _, hroot = storage.hadoop_path(spark, plan.root)
    if not plan.foreign and fs.exists(hroot) and len(fs.listStatus(hroot)) == 0:
        fs.delete(hroot, True)
    plan.done = True
    return plan


def format_plan(plan: PurgePlan) -> str:
    verb = "removed" if plan.done else "would remove"
    lines = [f"{plan.root}: {verb}"]
    for e in plan.entries:
        rows = f" ({e.rows:,} rows)" if e.rows is not None else ""
        lines.append(f"  {e.kind:<12} {e.path}{rows}")
    for t in plan.tables:
        after = f", {t.rows_after:,} after" if t.rows_after is not None else f", {t.rows_before - t.matching:,} would remain"
        lines.append(f"  rows         {t.path}: {t.matching:,} of {t.rows_before:,} in the dataset's id ranges{after}")
    for path in plan.foreign:
        lines.append(f"  left alone   {path} (not written by recspark)")
    return "\n".join(lines)

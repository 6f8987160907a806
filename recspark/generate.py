"""Generate one planted population into the lake: users, products, labels, interactions, manifest."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from importlib import metadata
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from recspark import __version__
from recspark import columns as C
from recspark.config import GeneratorConfig
from recspark.events.interactions import interactions
from recspark.logs import stage
from recspark.population.classes import affinity_mix
from recspark.population.ids import index_frame
from recspark.population.labels import labels
from recspark.population.plan import Plan, make_plan
from recspark.population.products import products
from recspark.population.users import users
from recspark.storage import lake as storage
from recspark.storage.manifest import write_manifest

# Parquet dictionaries only pay off for repeated values; on unique ids and timestamps the
# writer builds one and throws it away. Turning them off there speeds writes by about 10%.
NO_DICTIONARY = {
    C.INTERACTIONS: (C.EVENT_ID, C.USER_ID, C.PRODUCT_ID, C.EVENT_TS),
    C.USERS: (C.USER_ID, C.SIGNUP_TS),
    C.PRODUCTS: (C.PRODUCT_ID, C.LISTED_TS),
    C.LABELS: (C.ID,),
}

ROWS_PER_TASK = 2_000_000
ENTITIES_PER_TASK = 4_000_000


def auto_partitions(spark: SparkSession, rows: float, per_task: int) -> int:
    """Enough tasks to keep every core busy and each task's output a few hundred MB at most."""
    return max(spark.sparkContext.defaultParallelism, math.ceil(rows / per_task))


def population_frames(
    spark: SparkSession, plan: Plan, partitions: int | None = None
) -> dict[str, tuple[DataFrame, tuple[str, ...]]]:
    """The four tables as lazy DataFrames, each with its partition columns. Nothing runs yet."""
    user_parts = partitions or auto_partitions(spark, plan.users.count, ENTITIES_PER_TASK)
    product_parts = partitions or auto_partitions(spark, plan.products.count, ENTITIES_PER_TASK)
    event_parts = partitions or auto_partitions(spark, plan.expected_events, ROWS_PER_TASK)
    user_idx = index_frame(spark, plan.users.count, user_parts, C.USER_INDEX)
    product_idx = index_frame(spark, plan.products.count, product_parts, C.PRODUCT_INDEX)
    user_labels = labels(
        user_idx, entity=C.ENTITY_USER, table=C.USERS, seed=plan.seed, id_base=plan.users.id_base,
        id_bits=plan.users.id_bits, starts=plan.users.starts, names=plan.users.names, col_index=C.USER_INDEX,
    )
    product_labels = labels(
        product_idx, entity=C.ENTITY_PRODUCT, table=C.PRODUCTS, seed=plan.seed,
        id_base=plan.products.id_base, id_bits=plan.products.id_bits, starts=plan.products.starts,
        names=plan.products.names, col_index=C.PRODUCT_INDEX,
    )
    events = interactions(
        index_frame(spark, plan.users.count, event_parts, C.USER_INDEX),
        plan=plan,
        affinity_mix=affinity_mix(plan.affinity, plan.products.shares).tolist(),
    )
    return {
        C.USERS: (users(
                user_idx, seed=plan.seed, id_base=plan.users.id_base, id_bits=plan.users.id_bits,
                window_start_s=plan.start_epoch_s,
            ), ()),
        C.PRODUCTS: (
            products(
                product_idx, seed=plan.seed, id_base=plan.products.id_base, id_bits=plan.products.id_bits,
                window_start_s=plan.start_epoch_s,
            ),
            (),
        ),
        C.LABELS: (user_labels.unionByName(product_labels), ()),
        C.INTERACTIONS: (events, C.PARTITION_COLUMNS[C.INTERACTIONS]),
    }


def build_manifest(
    config: GeneratorConfig, plan: Plan, dataset: str, commits: dict[str, storage.Commit], spark_version: str
) -> dict[str, Any]:
    """Everything a later step needs to know about the planted truth, as plain JSON."""
    start = dt.datetime.fromtimestamp(plan.start_epoch_s, dt.UTC)
    end = dt.datetime.fromtimestamp(plan.end_epoch_s, dt.UTC)

    def side(s: Any) -> dict[str, Any]:
        return {
            "names": list(s.names),
            "shares": list(s.shares),
            "counts": list(s.counts),
            "id_range": [s.id_base, s.id_end],
        }

    return {
        "tool": "recspark",
        "tool_version": __version__,
        "dataset": dataset,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": config.seed,
        "config": config.to_dict(),
        "config_hash": config.content_hash(),
        "sizes": {name: commit.rows for name, commit in commits.items()},
        "users": side(plan.users),
        "products": side(plan.products),
        "class_shares": {"users": list(plan.users.shares), "products": list(plan.products.shares)},
        "affinity": [list(row) for row in plan.affinity],
        "expected_mix": [list(row) for row in plan.mix],
        "noise_share": plan.noise_share,
        "mean_events_per_user": plan.mean_per_user,
        "event_types": list(plan.event_types),
        "event_mix": list(plan.event_mix),
        "event_window": {"start": start.isoformat(), "end": end.isoformat()},
        "event_id_range": [plan.event_id_base, plan.event_id_base + (1 << plan.event_id_bits)],
        "tables": {
            name: {"path": commit.path, "version": commit.version, "rows": commit.rows}
            for name, commit in commits.items()
        },
        "versions": {
            "spark": spark_version,
            "delta-spark": metadata.version("delta-spark"),
        },
    }


def write_options(table: str) -> dict[str, str]:
    """Writer options of one generated table: Parquet dictionaries off on unique ids; the Delta
    change data feed on for interactions, so ``validate-lake`` reads only rows added later."""
    options = {f"parquet.enable.dictionary#{column}": "false" for column in NO_DICTIONARY.get(table, ())}
    if table == C.INTERACTIONS:
        options["delta.enableChangeDataFeed"] = "true"
    return options


Writer = Callable[[DataFrame, str, tuple[str, ...], dict[str, str]], storage.Commit]


def generate(
    spark: SparkSession,
    config: GeneratorConfig,
    lake: str,
    dataset: str,
    *,
    write: Writer = storage.write_table,
) -> dict[str, Any]:
    """Write the dataset's tables, one Delta commit each, then its manifest; return the manifest.

    Tables are replaced, never appended to, so a rerun does not duplicate rows. If a write
    fails, the tables already committed hold the new data and the rest the old; the manifest,
    written last, still names the previous consistent versions.
    """
    plan = make_plan(config)
    commits: dict[str, storage.Commit] = {}
    for name, (frame, partition_by) in population_frames(spark, plan, config.partitions).items():
        with stage(f"write {name}") as details:
            commit = write(frame, storage.table_path(lake, dataset, name), partition_by, write_options(name))
            details["rows"] = f"{commit.rows:,}"
            details["delta version"] = commit.version
        commits[name] = commit
    manifest = build_manifest(config, plan, dataset, commits, spark.version)
    write_manifest(spark, lake, dataset, manifest)
    return manifest

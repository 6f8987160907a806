"""Train the reference recommender and derive mutants, reading from and writing to the lake.

Each run writes one Delta table ``<lake>/<dataset>/recommendations/<version>`` in one commit,
with what produced it (kind, source, seed, settings, input table versions) as the commit's
``userMetadata``, so ``DESCRIBE HISTORY`` tells how every version was made.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from recspark import columns as C
from recspark.config import ModelConfig
from recspark.errors import InputError
from recspark.logs import stage
from recspark.models import baseline, mutants
from recspark.models.contract import RECOMMENDATIONS, conform, recommendations_path
from recspark.storage import lake as storage
from recspark.storage.manifest import manifest_table, read_manifest

log = logging.getLogger(__name__)


def stored_versions(spark: SparkSession, lake: str, dataset: str) -> list[str]:
    """The model versions with stored recommendations, sorted."""
    root = storage.table_path(lake, dataset, RECOMMENDATIONS)
    return [name for name in storage.subfolders(spark, root) if storage.is_table(spark, f"{root}/{name}")]


def read_stored(spark: SparkSession, lake: str, dataset: str, version: str) -> DataFrame:
    """The stored recommendations of ``version``, or an input error naming the stored versions."""
    path = recommendations_path(lake, dataset, version)
    if not storage.is_table(spark, path):
        known = stored_versions(spark, lake, dataset)
        raise InputError(
            f"model version {version!r}: expected stored recommendations at {path}, found none "
            f"(stored versions: {', '.join(known) or 'none'}; run recspark train-baseline or mutate)"
        )
    return storage.read_table(spark, path)


def _write(recs: DataFrame, lake: str, dataset: str, version: str, provenance: dict[str, Any]) -> storage.Commit:
    path = recommendations_path(lake, dataset, version)
    metadata = json.dumps({"model_version": version, **provenance}, sort_keys=True, default=str)
    return storage.write_table(conform(recs, version), path, options={"userMetadata": metadata})


def train_baseline(
    spark: SparkSession, lake: str, dataset: str, version: str, model: ModelConfig, seed: int | None = None
) -> storage.Commit:
    """Train ALS on the dataset's interactions and store the top k per user as ``version``."""
    recommendations_path(lake, dataset, version)  # a bad version name fails before any work
    manifest = read_manifest(spark, lake, dataset)
    interactions = manifest_table(spark, manifest, C.INTERACTIONS)
    seed = model.seed if seed is None else seed
    scratch = f"{storage.table_path(lake, dataset, RECOMMENDATIONS)}/.{version}-model"
    with stage(f"train ALS {version}") as details:
        trained = None
        try:
            trained = baseline.recommend(interactions, k=model.k, params=model.als, weights=dict(model.weights),
                                         seed=seed, scratch=scratch)
            commit = _write(trained.recommendations, lake, dataset, version, {
                "kind": "als", "seed": seed, "k": model.k, "als": asdict(model.als), "weights": dict(model.weights),
                "interactions_version": manifest["tables"][C.INTERACTIONS]["version"],
            })
        finally:
            if trained is not None:
                trained.release()
            storage.remove(spark, scratch)
        details["rows"] = f"{commit.rows:,}"
    return commit


def mutate(
    spark: SparkSession,
    lake: str,
    dataset: str,
    *,
    source: str,
    kind: str,
    target: str,
    model: ModelConfig,
    share: float | None = None,
    seed: int | None = None,
) -> storage.Commit:
    """Derive ``target`` from the stored ``source`` recommendations with one mutant."""
    if kind not in mutants.KINDS:
        raise InputError(f"--kind: expected one of {', '.join(mutants.KINDS)}, got {kind!r}")
    if share is not None and kind != "noise":
        raise InputError(f"--share: only the noise mutant takes a share, got --kind {kind}")
    share = model.noise_share if share is None else share
    if not 0.0 <= share <= 1.0:
        raise InputError(f"--share: expected a share in [0, 1], got {share}")
    if source == target:
        raise InputError(f"--to: expected a version other than the source {source!r}")
    recommendations_path(lake, dataset, target)
    seed = model.seed if seed is None else seed
    recs = read_stored(spark, lake, dataset, source).select(C.USER_ID, C.PRODUCT_ID, "rank", "score")
    manifest = read_manifest(spark, lake, dataset)
    provenance: dict[str, Any] = {"kind": kind, "source": source, "seed": seed}
    with stage(f"mutate {source} -> {target} ({kind})") as details:
        catalog = None
        if kind in ("noise", "random"):
            products = manifest_table(spark, manifest, C.PRODUCTS)
            catalog, size = mutants.catalog_positions(products)
            if kind == "noise":
                out = mutants.noise(recs, catalog, size, share=share, seed=seed)
                provenance["share"] = share
            else:
                users = recs.select(C.USER_ID).distinct()
                out = mutants.random_lists(users, catalog, size, k=_list_length(recs), seed=seed)
        elif kind == "shuffle":
            out = mutants.shuffle(recs, seed=seed)
        elif kind == "empty":
            out = mutants.empty(recs)
        else:
            interactions = manifest_table(spark, manifest, C.INTERACTIONS)
            out = mutants.popularity(recs, interactions, k=_list_length(recs))
            provenance["interactions_version"] = manifest["tables"][C.INTERACTIONS]["version"]
        commit = _write(out, lake, dataset, target, provenance)
        if catalog is not None:
            catalog.unpersist()
        details["rows"] = f"{commit.rows:,}"
    return commit


def _list_length(recs: DataFrame) -> int:
    """The longest list in the source: random and popularity lists are that long."""
    from pyspark.sql import functions as F

    row = recs.agg(F.max("rank").alias("k")).first()
    return int(row["k"]) if row is not None and row["k"] is not None else 0

"""The reference recommender and the mutants on a small dataset, with real Spark, MLlib and Delta."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.config import load_model_config
from recspark.errors import ConfigError, InputError
from recspark.generate import generate
from recspark.models import mutants
from recspark.models.contract import SCHEMA, recommendations_path
from recspark.models.runs import mutate, read_stored, stored_versions, train_baseline
from recspark.storage import lake as storage
from tests.builders import tiny_config

DATASET = "models"
K = 10


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> str:
    root = str(tmp_path_factory.mktemp("models-lake"))
    generate(spark, tiny_config(users={"count": 1_500}, products={"count": 300}), root, DATASET)
    model = load_model_config(None, [f"k={K}", "als.max_iter=5", "als.blocks=2"])
    train_baseline(spark, root, DATASET, "V1", model)
    return root


def _model():
    return load_model_config(None, [f"k={K}", "als.max_iter=5", "als.blocks=2"])


def _lists(df: DataFrame) -> dict[int, list[int]]:
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in df.select(C.USER_ID, C.PRODUCT_ID, "rank").collect():
        out[row[C.USER_ID]].append((row["rank"], row[C.PRODUCT_ID]))
    return {user: [p for _, p in sorted(items)] for user, items in out.items()}


def _types(df: DataFrame) -> list[tuple[str, str]]:
    return _types_of(df.schema)


def _types_of(schema) -> list[tuple[str, str]]:
    return [(f.name, f.dataType.simpleString()) for f in schema.fields]


def _catalog(spark: SparkSession, lake: str) -> set[int]:
    products = storage.read_table(spark, storage.table_path(lake, DATASET, C.PRODUCTS))
    return {r[0] for r in products.select(C.PRODUCT_ID).collect()}


def test_baseline_writes_top_k_for_every_active_user(spark: SparkSession, lake: str) -> None:
    stored = read_stored(spark, lake, DATASET, "V1")
    assert _types(stored) == _types_of(SCHEMA)
    lists = _lists(stored)
    interactions = storage.read_table(spark, storage.table_path(lake, DATASET, C.INTERACTIONS))
    active = {r[0] for r in interactions.select(C.USER_ID).distinct().collect()}
    assert set(lists) == active
    catalog = _catalog(spark, lake)
    for products in lists.values():
        assert len(products) == K and len(set(products)) == K
        assert set(products) <= catalog
    ranks = {r["rank"] for r in stored.select("rank").distinct().collect()}
    assert ranks == set(range(1, K + 1))
    scores = stored.where(F.col("user_id") == F.lit(next(iter(lists)))).orderBy("rank").collect()
    assert [r["score"] for r in scores] == sorted((r["score"] for r in scores), reverse=True)
    assert {r["model_version"] for r in stored.select("model_version").distinct().collect()} == {"V1"}
    meta = storage.commit_metadata(spark, recommendations_path(lake, DATASET, "V1"))
    assert meta["kind"] == "als" and meta["k"] == K and meta["als"]["max_iter"] == 5


def test_baseline_learns_the_planted_preferences(spark: SparkSession, lake: str) -> None:
    stored = read_stored(spark, lake, DATASET, "V1")
    labels = storage.read_table(spark, storage.table_path(lake, DATASET, C.LABELS))
    users = labels.where("entity = 'user'").select(F.col("id").alias("user_id"), F.col("class_index").alias("u"))
    products = labels.where("entity = 'product'").select(F.col("id").alias("product_id"), F.col("class_index").alias("p"))
    joined = stored.join(users, "user_id", "inner").join(products, "product_id", "inner")
    # Each user class's favourite (the rotated row: Ui likes Pi most) is its most recommended class.
    counts = Counter((r["u"], r["p"]) for r in joined.select("u", "p").collect())
    for u in range(5):
        row = [counts[(u, p)] for p in range(5)]
        assert max(range(5), key=lambda p: row[p]) == u, (u, row)
        assert row[u] / sum(row) > 0.35


def _source(spark: SparkSession, lake: str) -> DataFrame:
    return read_stored(spark, lake, DATASET, "V1").select(C.USER_ID, C.PRODUCT_ID, "rank", "score")


def test_noise_replaces_the_bottom_share_with_catalog_products(spark: SparkSession, lake: str) -> None:
    products = storage.read_table(spark, storage.table_path(lake, DATASET, C.PRODUCTS))
    catalog, size = mutants.catalog_positions(products)
    source = _lists(_source(spark, lake))
    noisy = _lists(mutants.noise(_source(spark, lake), catalog, size, share=0.3, seed=5))
    assert set(noisy) == set(source)
    changed = 0
    known = _catalog_ids(catalog)
    for user, products_ in noisy.items():
        assert len(products_) == K and len(set(products_)) == K
        assert products_[:7] == source[user][:7]
        changed += products_[7:] != source[user][7:]
        assert set(products_) <= known
    assert changed > 0.9 * len(noisy)


def _catalog_ids(catalog: DataFrame) -> set[int]:
    return {r[0] for r in catalog.select(C.PRODUCT_ID).collect()}


def test_mutants_are_deterministic_whatever_the_partitioning(spark: SparkSession, lake: str) -> None:
    products = storage.read_table(spark, storage.table_path(lake, DATASET, C.PRODUCTS))
    catalog, size = mutants.catalog_positions(products)
    one = _source(spark, lake).repartition(1)
    many = _source(spark, lake).repartition(5, C.PRODUCT_ID)
    for build in (
        lambda s: mutants.noise(s, catalog, size, share=0.5, seed=3),
        lambda s: mutants.random_lists(s.select(C.USER_ID).distinct(), catalog, size, k=K, seed=3),
        lambda s: mutants.shuffle(s, seed=3),
    ):
        assert _lists(build(one)) == _lists(build(many))
    assert _lists(mutants.shuffle(one, seed=3)) != _lists(mutants.shuffle(one, seed=4))


def test_random_lists_are_distinct_uniform_catalog_products(spark: SparkSession, lake: str) -> None:
    products = storage.read_table(spark, storage.table_path(lake, DATASET, C.PRODUCTS))
    catalog, size = mutants.catalog_positions(products)
    users = _source(spark, lake).select(C.USER_ID).distinct()
    lists = _lists(mutants.random_lists(users, catalog, size, k=K, seed=11))
    assert len(lists) == users.count()
    hits = Counter(p for products_ in lists.values() for p in products_)
    assert all(len(set(v)) == K for v in lists.values())
    # Uniform over 300 products: each is drawn about users * K / 300 = 50 times.
    expected = len(lists) * K / size
    assert len(hits) == size
    assert max(hits.values()) < 2 * expected and min(hits.values()) > expected / 3


def test_shuffle_gives_every_user_another_users_list(spark: SparkSession, lake: str) -> None:
    source = _lists(_source(spark, lake))
    shuffled = _lists(mutants.shuffle(_source(spark, lake), seed=2))
    assert set(shuffled) == set(source)
    assert sorted(map(tuple, shuffled.values())) == sorted(map(tuple, source.values()))
    assert sum(shuffled[u] == source[u] for u in source) == 0


def test_popularity_gives_everyone_the_most_interacted_products(spark: SparkSession, lake: str) -> None:
    interactions = storage.read_table(spark, storage.table_path(lake, DATASET, C.INTERACTIONS))
    counts = Counter(r[0] for r in interactions.select(C.PRODUCT_ID).collect())
    expected = [p for p, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:K]]
    lists = _lists(mutants.popularity(_source(spark, lake), interactions, k=K))
    assert set(lists) == set(_lists(_source(spark, lake)))
    assert all(products_ == expected for products_ in lists.values())


def test_mutate_stores_each_kind_with_its_provenance(spark: SparkSession, lake: str) -> None:
    model = _model()
    for kind in mutants.KINDS:
        commit = mutate(spark, lake, DATASET, source="V1", kind=kind, target=f"m-{kind}", model=model)
        stored = read_stored(spark, lake, DATASET, f"m-{kind}")
        assert _types(stored) == _types_of(SCHEMA)
        assert commit.rows == stored.count()
        meta = storage.commit_metadata(spark, recommendations_path(lake, DATASET, f"m-{kind}"))
        assert meta["kind"] == kind and meta["source"] == "V1"
    assert read_stored(spark, lake, DATASET, "m-empty").count() == 0
    assert read_stored(spark, lake, DATASET, "m-noise").count() == read_stored(spark, lake, DATASET, "V1").count()
    assert {f"m-{kind}" for kind in mutants.KINDS} | {"V1"} <= set(stored_versions(spark, lake, DATASET))
    again = mutate(spark, lake, DATASET, source="V1", kind="noise", target="m-noise", model=model)
    assert json.dumps(sorted(_lists(read_stored(spark, lake, DATASET, "m-noise")).items())) == json.dumps(
        sorted(_lists(storage.read_table(spark, recommendations_path(lake, DATASET, "m-noise"), again.version - 1)).items())
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source": "V9", "kind": "noise", "target": "x"}, "model version 'V9': expected stored recommendations"),
        ({"source": "V1", "kind": "random", "target": "x", "share": 0.2}, "only the noise mutant takes a share"),
        ({"source": "V1", "kind": "noise", "target": "x", "share": 1.5}, "expected a share in [0, 1]"),
        ({"source": "V1", "kind": "noise", "target": "V1"}, "expected a version other than the source"),
        ({"source": "V1", "kind": "noise", "target": "bad/name"}, "--version: expected letters"),
        ({"source": "V1", "kind": "typo", "target": "x"}, "expected one of noise, random"),
    ],
)
def test_mutate_rejects_bad_input_before_writing(spark: SparkSession, lake: str, kwargs: dict, message: str) -> None:
    before = stored_versions(spark, lake, DATASET)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        mutate(spark, lake, DATASET, model=_model(), **kwargs)
    assert stored_versions(spark, lake, DATASET) == before


def test_model_config_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"als\.rank"):
        load_model_config(None, ["als.rank=0"])
    with pytest.raises(ConfigError, match="weights"):
        load_model_config(None, ["weights.like=-1"])
    with pytest.raises(ConfigError, match=r"als\.ranks"):
        load_model_config(None, ["als.ranks=3"])

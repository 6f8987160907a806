"""Hash-based draws in Spark: bijective ids, uniform draws, categorical and Zipf-like picks."""

from __future__ import annotations

import collections

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from recspark import seeding
from recspark.events.interactions import activity, zipf_rank
from recspark.population.classes import activity_scale

SHARE_TOLERANCE = 0.015  # absolute, on 20k draws (about 5 standard errors)


def test_feistel_is_a_bijection_on_its_range(spark: SparkSession) -> None:
    bits = 10
    out = spark.range(0, 1 << bits).select(seeding.feistel(F.col("id"), bits, 3, "t").alias("v"))
    values = [r.v for r in out.collect()]
    assert sorted(values) == list(range(1 << bits))
    assert values[:20] != list(range(20))


def test_feistel_depends_on_the_seed(spark: SparkSession) -> None:
    df = spark.range(0, 64).select(
        seeding.feistel(F.col("id"), 6, 1, "t").alias("a"), seeding.feistel(F.col("id"), 6, 2, "t").alias("b")
    )
    assert df.where(F.col("a") != F.col("b")).count() > 50


def test_uniform_draws_are_uniform_and_independent_per_stream(spark: SparkSession) -> None:
    df = spark.range(0, 20_000).select(
        seeding.uniform(5, "t", "a", F.col("id")).alias("a"),
        seeding.uniform(5, "t", "b", F.col("id")).alias("b"),
    )
    row = df.agg(F.min("a"), F.max("a"), F.avg("a"), F.corr("a", "b")).first()
    assert row[0] >= 0.0 and row[1] < 1.0
    assert row[2] == pytest.approx(0.5, abs=0.01)
    assert abs(row[3]) < 0.03


def test_categorical_follows_its_probabilities(spark: SparkSession) -> None:
    probabilities = [0.5, 0.3, 0.15, 0.05]
    df = spark.range(0, 20_000).select(
        seeding.categorical(seeding.uniform(1, "t", "c", F.col("id")), probabilities).alias("c")
    )
    counts = {r.c: r["count"] for r in df.groupBy("c").count().collect()}
    for index, p in enumerate(probabilities):
        assert counts[index] / 20_000 == pytest.approx(p, abs=SHARE_TOLERANCE)


def _zipf_reference(size: int, exponent: float) -> list[float]:
    """Exact probabilities of floor(X) for X with density ~ x^-s on [1, size+1): pure Python."""
    if exponent == 1.0:
        import math

        cdf = [math.log(k) / math.log(size + 1) for k in range(1, size + 2)]
    else:
        a = 1 - exponent
        top = (size + 1) ** a - 1
        cdf = [(k**a - 1) / top for k in range(1, size + 2)]
    return [cdf[k] - cdf[k - 1] for k in range(1, size + 1)]


@pytest.mark.parametrize("exponent", [1.0, 0.6])
def test_zipf_rank_matches_the_python_reference(spark: SparkSession, exponent: float) -> None:
    size, n = 8, 40_000
    df = spark.range(0, n).select(
        zipf_rank(seeding.uniform(2, "t", "z", F.col("id")), F.lit(size), exponent).alias("r")
    )
    counts = collections.Counter({r.r: r["count"] for r in df.groupBy("r").count().collect()})
    assert set(counts) <= set(range(1, size + 1))
    for rank, p in enumerate(_zipf_reference(size, exponent), start=1):
        assert counts[rank] / n == pytest.approx(p, abs=SHARE_TOLERANCE)
    assert counts[1] > counts[size]


def test_activity_in_spark_has_the_planned_mean(spark: SparkSession) -> None:
    scale = activity_scale(12.0, 2.0, 500)
    df = spark.range(0, 50_000).select(
        activity(seeding.uniform(4, "t", "n", F.col("id")), scale=scale, tail=2.0, cap=500).alias("n")
    )
    row = df.agg(F.avg("n"), F.min("n"), F.max("n")).first()
    assert row[0] == pytest.approx(12.0, rel=0.05)
    assert row[1] >= 1 and row[2] <= 500

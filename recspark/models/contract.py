"""The recommendations contract recspark writes: one Delta table per model version.

``<lake>/<dataset>/recommendations/<version>``: (model_version, user_id, product_id, rank,
score), rank 1 is the best. ``recspark evaluate`` reads it like any other long-form input.
"""

from __future__ import annotations

import re

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from recspark import columns as C
from recspark.errors import InputError
from recspark.storage import lake as storage

RECOMMENDATIONS = "recommendations"
MODEL_VERSION = "model_version"
RANK = "rank"
SCORE = "score"

SCHEMA = T.StructType(
    [
        T.StructField(MODEL_VERSION, T.StringType(), False),
        T.StructField(C.USER_ID, T.LongType(), False),
        T.StructField(C.PRODUCT_ID, T.LongType(), False),
        T.StructField(RANK, T.IntegerType(), False),
        T.StructField(SCORE, T.DoubleType(), True),
    ]
)

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_version(version: str, option: str = "--version") -> str:
    if not _VERSION.match(version):
        raise InputError(f"{option}: expected letters, digits, '.', '_' or '-' (at most 64), got {version!r}")
    return version


def recommendations_path(lake: str, dataset: str, version: str) -> str:
    return f"{storage.table_path(lake, dataset, RECOMMENDATIONS)}/{check_version(version)}"


def conform(long: DataFrame, version: str) -> DataFrame:
    """(user_id, product_id, rank[, score]) as the contract's columns and types."""
    score = F.col(SCORE).cast("double") if SCORE in long.columns else F.lit(None).cast("double")
    return long.select(
        F.lit(version).alias(MODEL_VERSION),
        F.col(C.USER_ID).cast("bigint").alias(C.USER_ID),
        F.col(C.PRODUCT_ID).cast("bigint").alias(C.PRODUCT_ID),
        F.col(RANK).cast("int").alias(RANK),
        score.alias(SCORE),
    )


def dense_index(
    ids: DataFrame, *, col_id: str, col_index: str, as_int: bool = False, order: Column | None = None
) -> DataFrame:
    """(id, index) with indices 0..n-1 in id order (or ``order``, then id), the same whatever
    the partitioning.

    ALS needs 32-bit ids where ours are 64-bit, uniform draws pick a catalog position, and the
    shuffle mutant walks users in a seeded hash order.
    """
    spark = ids.sparkSession
    if order is None:
        ordered, position = ids.select(col_id).distinct().orderBy(col_id), 0
    else:
        ordered, position = ids.select(order.alias("_order"), col_id).distinct().orderBy("_order", col_id), 1
    indexed = ordered.rdd.zipWithIndex().map(lambda pair: (pair[0][position], pair[1]))
    schema = T.StructType([T.StructField(col_id, T.LongType(), False), T.StructField(col_index, T.LongType(), False)])
    frame = spark.createDataFrame(indexed, schema)
    if as_int:
        return frame.select(col_id, F.col(col_index).cast("int").alias(col_index))
    return frame

"""Entity indices, their hidden class blocks, and the scrambled ids users of the lake see."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from recspark import seeding


def index_frame(spark: SparkSession, count: int, partitions: int, name: str) -> DataFrame:
    """Indices 0..count-1 in one bigint column; the partition count changes no value."""
    return spark.range(0, count, 1, numPartitions=max(1, min(partitions, count))).withColumnRenamed(
        "id", name
    )


def class_of(index: Column, starts: Sequence[int]) -> Column:
    """Class of an entity index: classes own contiguous index blocks beginning at ``starts``."""
    expr = F.lit(0)
    for class_index, start in enumerate(starts):
        if class_index:
            expr = F.when(index >= F.lit(start), F.lit(class_index)).otherwise(expr)
    return expr.cast("int")


def entity_id(index: Column, id_base: int, bits: int, seed: int, table: str) -> Column:
    """Public id of an entity: id_base plus a keyed bijection of its index."""
    return (F.lit(id_base).cast("bigint") + seeding.feistel(index.cast("bigint"), bits, seed, table)).cast(
        "bigint"
    )


def uniform_seconds(u: Column, start_s: int, width_s: int) -> Column:
    """A timestamp uniform in [start_s, start_s + width_s), whole seconds, UTC epoch based."""
    return F.timestamp_seconds(F.lit(start_s) + F.floor(u * F.lit(width_s)).cast("bigint"))

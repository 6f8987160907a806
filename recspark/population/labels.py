"""The labels table: the hidden truth, kept apart from anything a model trains on."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.population.ids import class_of, entity_id


def labels(
    indices: DataFrame,
    *,
    entity: str,
    table: str,
    seed: int,
    id_base: int,
    id_bits: int,
    starts: Sequence[int],
    names: Sequence[str],
    col_index: str,
) -> DataFrame:
    """(entity, id, class_index, class_name) for every index of one side of the population."""
    index = F.col(col_index)
    class_index = class_of(index, starts)
    return indices.select(
        F.lit(entity).alias(C.ENTITY),
        entity_id(index, id_base, id_bits, seed, table).alias(C.ID),
        class_index.alias(C.CLASS_INDEX),
        F.element_at(F.array(*[F.lit(n) for n in names]), class_index + 1).alias(C.CLASS_NAME),
    )


def class_lookup(labels: DataFrame, entity: str, *, col_id: str, col_class: str) -> DataFrame:
    """(id, class index) of one entity ('user' or 'product') of the labels table."""
    return labels.where(F.col(C.ENTITY) == F.lit(entity)).select(
        F.col(C.ID).alias(col_id), F.col(C.CLASS_INDEX).alias(col_class)
    )

"""Small Spark expression helpers shared by the generator and the metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F


def pick(values: Sequence[Any], index: Column) -> Column:
    """``values[index]`` for a 0-based integer column, from a literal array."""
    return F.element_at(F.array(*[F.lit(v) for v in values]), index + F.lit(1))

"""Reading a recommender's output and bringing it to one long form: (user_id, product_id, rank).

Accepted shapes, from a Delta table, Parquet, CSV or JSON:
- long: user_id, product_id and rank and/or score (rank wins; from score, rank by score
  descending with product_id ascending as the tie-break);
- nested: user_id and an array of product ids, or of structs with a product id and a score
  (Spark ALS ``recommendForAllUsers``: ``array<struct<product_id, rating>>``); the position
  in the array is the rank.
Anything else is an :class:`InputError` naming what was expected and what was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from recspark import columns as C
from recspark.errors import InputError
from recspark.storage import lake as storage

RANK = "rank"
SCORE = "score"
RECOMMENDATIONS = "recommendations"
FORMATS = ("delta", "parquet", "csv", "json")
_INTEGRAL = (T.IntegerType, T.LongType, T.ShortType, T.ByteType)
_NUMERIC = (*_INTEGRAL, T.FloatType, T.DoubleType, T.DecimalType)
_SCORE_FIELDS = ("score", "rating", "prediction")


@dataclass(frozen=True)
class RecsColumns:
    """Column names of the recommendations input."""

    user: str = C.USER_ID
    product: str = C.PRODUCT_ID
    rank: str = RANK
    score: str = SCORE
    recommendations: str = RECOMMENDATIONS


@dataclass(frozen=True)
class RecsSource:
    """Where the recommendations are and what they are; ``version`` for Delta sources."""

    path: str
    format: str
    version: int | None


def detect_format(spark: SparkSession, path: str, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
        return fmt
    if storage.is_table(spark, path):
        return "delta"
    for candidate in FORMATS[1:]:
        if path.rstrip("/").endswith(f".{candidate}"):
            return candidate
    raise InputError(
        f"--recs {path}: expected a Delta table, or a path ending in .parquet/.csv/.json, "
        "or --format; found neither"
    )


def read_recommendations(spark: SparkSession, path: str, fmt: str | None = None) -> tuple[DataFrame, RecsSource]:
    """Load the raw recommendations; unreadable or missing paths are input errors."""
    fmt = detect_format(spark, path, fmt)
    try:
        if fmt == "delta":
            version = storage.last_commit(spark, path).version
            df = storage.read_table(spark, path, version)
        else:
            version = None
            reader = spark.read.format(fmt)
            if fmt == "csv":
                reader = reader.option("header", "true").option("inferSchema", "true")
            df = reader.load(path)
            df.schema  # noqa: B018 - forces the read of the schema, so a bad path fails here
    except InputError:
        raise
    except Exception as exc:  # Spark raises several types for a missing or unreadable path
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"--recs {path}: expected readable {fmt} recommendations, got: {first}") from None
    return df, RecsSource(path=path, format=fmt, version=version)


def _require(df: DataFrame, column: str, kinds: tuple[type, ...], expected: str) -> None:
    field = next((f for f in df.schema.fields if f.name == column), None)
    if field is None:
        raise InputError(
            f"recommendations: expected a column {column!r} ({expected}), found columns {', '.join(df.columns)}"
        )
    if not isinstance(field.dataType, kinds):
        raise InputError(
            f"recommendations: expected column {column!r} to be {expected}, found {field.dataType.simpleString()}"
        )


DEFAULT_COLUMNS = RecsColumns()


def to_long(df: DataFrame, cols: RecsColumns = DEFAULT_COLUMNS) -> DataFrame:
    """(user_id bigint, product_id bigint, rank int) from either accepted shape.

    Only the schema is checked here (no Spark job); :func:`check_values` checks the rows.
    """
    if cols.recommendations in df.columns:
        return _from_nested(df, cols)
    _require(df, cols.user, _INTEGRAL, "an integer id")
    _require(df, cols.product, _INTEGRAL, "an integer id")
    if cols.rank in df.columns:
        _require(df, cols.rank, _INTEGRAL, "an integer rank starting at 1")
        rank = F.col(cols.rank)
    elif cols.score in df.columns:
        _require(df, cols.score, _NUMERIC, "a numeric score")
        order = Window.partitionBy(cols.user).orderBy(F.col(cols.score).desc_nulls_last(), F.col(cols.product).asc())
        rank = F.row_number().over(order)
    else:
        raise InputError(
            f"recommendations: expected a {cols.rank!r} or a {cols.score!r} column beside "
            f"{cols.user!r} and {cols.product!r}, or a nested {cols.recommendations!r} array; "
            f"found columns {', '.join(df.columns)}"
        )
    return df.select(
        F.col(cols.user).cast("bigint").alias(C.USER_ID),
        F.col(cols.product).cast("bigint").alias(C.PRODUCT_ID),
        rank.cast("int").alias(RANK),
    )


def _from_nested(df: DataFrame, cols: RecsColumns) -> DataFrame:
    _require(df, cols.user, _INTEGRAL, "an integer id")
    field = df.schema[cols.recommendations].dataType
    if not isinstance(field, T.ArrayType):
        raise InputError(
            f"recommendations: expected {cols.recommendations!r} to be an array, found {field.simpleString()}"
        )
    element = field.elementType
    exploded = df.select(F.col(cols.user).alias("_user"), F.posexplode(cols.recommendations).alias("_pos", "_item"))
    if isinstance(element, _INTEGRAL):
        product = F.col("_item")
    elif isinstance(element, T.StructType):
        names = element.fieldNames()
        product_field = cols.product if cols.product in names else None
        if product_field is None or not isinstance(element[product_field].dataType, _INTEGRAL):
            raise InputError(
                f"recommendations: expected {cols.recommendations!r} elements to hold an integer "
                f"{cols.product!r} field, found {element.simpleString()}"
            )
        product = F.col("_item").getField(product_field)
    else:
        raise InputError(
            f"recommendations: expected {cols.recommendations!r} to hold product ids or structs with "
            f"{cols.product!r} and a score, found array<{element.simpleString()}>"
        )
    return exploded.select(
        F.col("_user").cast("bigint").alias(C.USER_ID),
        product.cast("bigint").alias(C.PRODUCT_ID),
        (F.col("_pos") + F.lit(1)).cast("int").alias(RANK),
    )


def check_values(long: DataFrame, source: str, k: int | None = None) -> dict[str, int]:
    """One pass over the rows: null ids and ranks below 1 are input errors; returns row counts
    (and, given ``k``, the rows past k that will be ignored)."""
    past_k = F.sum(F.when(F.col(RANK) > F.lit(k), 1).otherwise(0)) if k is not None else F.lit(0)
    row = long.agg(
        F.count(F.lit(1)).alias("rows"),
        past_k.alias("rows_past_k"),
        F.sum(F.when(F.col(C.USER_ID).isNull(), 1).otherwise(0)).alias("null_users"),
        F.sum(F.when(F.col(C.PRODUCT_ID).isNull(), 1).otherwise(0)).alias("null_products"),
        F.sum(F.when(F.col(RANK).isNull() | (F.col(RANK) < 1), 1).otherwise(0)).alias("bad_ranks"),
        F.min(RANK).alias("min_rank"),
    ).first()
    assert row is not None
    keys = ("rows", "rows_past_k", "null_users", "null_products", "bad_ranks", "min_rank")
    counts = {key: int(row[key] or 0) for key in keys}
    problems = []
    if counts["null_users"]:
        problems.append(f"{counts['null_users']:,} rows with a null user id")
    if counts["null_products"]:
        problems.append(f"{counts['null_products']:,} rows with a null product id")
    if counts["bad_ranks"]:
        problems.append(f"{counts['bad_ranks']:,} rows with a null or non-positive rank (lowest {row['min_rank']})")
    if problems:
        raise InputError(f"recommendations {source}: expected non-null ids and ranks from 1, found " + "; ".join(problems))
    return counts

"""Degraded versions of stored recommendations: a test of the gate itself.

Each mutant is a pure function of the source lists, the catalog and a seed, so the same
call gives the same rows whatever the partitioning:

- ``noise``: the bottom ``share`` of each list is replaced by random catalog products (V2,
  slightly worse);
- ``random``: every list is k uniformly random catalog products (V3, very poor);
- ``shuffle``: every user gets another user's list, by a seeded cyclic shift over a hash
  order of the users (V3, very poor: the lists survive, their match to the user does not);
- ``empty``: a filter no recommendation survives (V4, all filtered out);
- ``popularity``: the k most-interacted products, the same list for everyone.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from recspark import columns as C
from recspark.models.contract import RANK, SCORE, dense_index
from recspark.seeding import hash64

KINDS = ("noise", "random", "shuffle", "empty", "popularity")
_TABLE = "mutants"
_CATALOG_POS = "_catalog_pos"
_DRAW = "_draw"
_DRAWS_PER_SLOT = 3  # draws per wanted product: spare draws cover repeats and excluded products


def catalog_positions(products: DataFrame) -> tuple[DataFrame, int]:
    """(product_id, position 0..n-1 in id order) and n: uniform draws pick a position."""
    catalog = dense_index(products, col_id=C.PRODUCT_ID, col_index=_CATALOG_POS).persist()
    return catalog, catalog.count()


def random_products(
    wanted: DataFrame, catalog: DataFrame, size: int, *, seed: int, stream: str, exclude: DataFrame | None = None
) -> DataFrame:
    """(user_id, product_id, rank) with ``n`` distinct random catalog products per user, ranks
    ``first``.. in draw order.

    ``wanted`` holds (user_id, first, n). Draw j of a user is catalog position
    hash(seed, stream, user, j) mod size; repeats and ``exclude``'d (user_id, product_id)
    pairs are skipped, so a user gets fewer than n only when the catalog runs out.
    """
    if size == 0:
        raise ValueError("random products need a non-empty catalog")
    draws = wanted.where(F.col("n") > 0).select(
        C.USER_ID, "first", "n",
        F.explode(F.sequence(F.lit(1), F.col("n") * F.lit(_DRAWS_PER_SLOT) + F.lit(4))).alias(_DRAW),
    )
    positioned = draws.select(
        "*", F.pmod(hash64(seed, _TABLE, stream, F.col(C.USER_ID), F.col(_DRAW)), F.lit(size)).alias(_CATALOG_POS)
    ).join(catalog, on=_CATALOG_POS, how="inner")
    if exclude is not None:
        positioned = positioned.join(exclude.select(C.USER_ID, C.PRODUCT_ID), on=[C.USER_ID, C.PRODUCT_ID],
                                     how="left_anti")
    first_draw = positioned.groupBy(C.USER_ID, C.PRODUCT_ID, "first", "n").agg(F.min(_DRAW).alias(_DRAW))
    order = Window.partitionBy(C.USER_ID).orderBy(F.col(_DRAW).asc(), F.col(C.PRODUCT_ID).asc())
    numbered = first_draw.select("*", F.row_number().over(order).alias("_i")).where(F.col("_i") <= F.col("n"))
    return numbered.select(
        C.USER_ID, C.PRODUCT_ID, (F.col("first") + F.col("_i") - F.lit(1)).cast("int").alias(RANK),
        F.lit(None).cast("double").alias(SCORE),
    )


def noise(recs: DataFrame, catalog: DataFrame, size: int, *, share: float, seed: int) -> DataFrame:
    """Each list keeps its top ranks; its bottom round(share * length) become random products."""
    lengths = recs.groupBy(C.USER_ID).agg(F.count(F.lit(1)).alias("_length"))
    replaced = F.round(F.col("_length") * F.lit(share)).cast("int")
    cut = recs.join(lengths, on=C.USER_ID, how="inner").select(
        C.USER_ID, C.PRODUCT_ID, RANK, SCORE, (F.col("_length") - replaced).alias("_keep"), replaced.alias("_replaced")
    )
    order = Window.partitionBy(C.USER_ID).orderBy(F.col(RANK).asc(), F.col(C.PRODUCT_ID).asc())
    positioned = cut.select("*", F.row_number().over(order).alias("_position"))
    kept = positioned.where(F.col("_position") <= F.col("_keep")).select(
        C.USER_ID, C.PRODUCT_ID, F.col("_position").cast("int").alias(RANK), SCORE
    )
    wanted = lengths.select(
        C.USER_ID, (F.col("_length") - replaced + F.lit(1)).alias("first"), replaced.alias("n")
    )
    fresh = random_products(wanted, catalog, size, seed=seed, stream="noise", exclude=kept)
    return kept.unionByName(fresh)


def random_lists(users: DataFrame, catalog: DataFrame, size: int, *, k: int, seed: int) -> DataFrame:
    """k uniformly random catalog products for each user."""
    wanted = users.select(C.USER_ID, F.lit(1).alias("first"), F.lit(k).alias("n"))
    return random_products(wanted, catalog, size, seed=seed, stream="random")


def shuffle(recs: DataFrame, *, seed: int) -> DataFrame:
    """Every user gets the list of the next user in a seeded hash order (a cyclic shift)."""
    order = hash64(seed, _TABLE, "shuffle", F.col(C.USER_ID))
    positions = dense_index(recs, col_id=C.USER_ID, col_index="_pos", order=order).persist()
    count = positions.count()
    donors = positions.select(
        F.col(C.USER_ID).alias("_donor"), F.pmod(F.col("_pos") - F.lit(1), F.lit(max(count, 1))).alias("_pos")
    )
    mapping = positions.join(donors, on="_pos", how="inner").select(C.USER_ID, "_donor")
    donated = recs.select(F.col(C.USER_ID).alias("_donor"), C.PRODUCT_ID, RANK, SCORE)
    return mapping.join(donated, on="_donor", how="inner").select(C.USER_ID, C.PRODUCT_ID, RANK, SCORE)


def empty(recs: DataFrame) -> DataFrame:
    """What an over-eager filter leaves (say, an availability filter with the wrong date): nothing."""
    return recs.where(F.lit(False)).select(C.USER_ID, C.PRODUCT_ID, RANK, SCORE)


def popularity(users: DataFrame, interactions: DataFrame, *, k: int) -> DataFrame:
    """The k most-interacted products (ties by product id), the same list for every user."""
    counts = interactions.groupBy(C.PRODUCT_ID).agg(F.count(F.lit(1)).alias("_events"))
    top = counts.orderBy(F.col("_events").desc(), F.col(C.PRODUCT_ID).asc()).limit(k).collect()
    rows = [(int(r[C.PRODUCT_ID]), i + 1, float(r["_events"])) for i, r in enumerate(top)]
    schema = T.StructType([
        T.StructField(C.PRODUCT_ID, T.LongType(), False),
        T.StructField(RANK, T.IntegerType(), False),
        T.StructField(SCORE, T.DoubleType(), True),
    ])
    top_frame = users.sparkSession.createDataFrame(rows, schema)
    return users.select(C.USER_ID).distinct().crossJoin(F.broadcast(top_frame)).select(C.USER_ID, C.PRODUCT_ID, RANK, SCORE)

"""The reference recommender under test: Spark MLlib ALS with implicit feedback.

It trains on a dataset's ``interactions`` only, as a staging recommender would: every event
is weighted by its type, a (user, product) pair's weights are summed into one implicit
strength, and ALS factorises those strengths (confidence ``1 + alpha * strength``). The
hidden labels are never read here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark.ml.recommendation import ALS, ALSModel
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from recspark import columns as C
from recspark.config import AlsConfig
from recspark.models.contract import RANK, SCORE, dense_index

log = logging.getLogger(__name__)

USER_INDEX = "_user"
PRODUCT_INDEX = "_product"
STRENGTH = "strength"


def strengths(interactions: DataFrame, weights: dict[str, float]) -> DataFrame:
    """(user_id, product_id, strength): the summed weights of a pair's events (unknown types weigh 0)."""
    weight = F.lit(0.0)
    for event_type, value in sorted(weights.items()):
        weight = F.when(F.col(C.EVENT_TYPE) == F.lit(event_type), F.lit(float(value))).otherwise(weight)
    return (
        interactions.select(C.USER_ID, C.PRODUCT_ID, weight.alias(STRENGTH))
        .groupBy(C.USER_ID, C.PRODUCT_ID)
        .agg(F.sum(STRENGTH).alias(STRENGTH))
        .where(F.col(STRENGTH) > 0)
    )


def train(ratings: DataFrame, params: AlsConfig, seed: int) -> ALSModel:
    """Fit ALS on (_user, _product, strength)."""
    als = ALS(
        rank=params.rank,
        maxIter=params.max_iter,
        regParam=params.reg_param,
        alpha=params.alpha,
        implicitPrefs=True,
        numUserBlocks=params.blocks,
        numItemBlocks=params.blocks,
        userCol=USER_INDEX,
        itemCol=PRODUCT_INDEX,
        ratingCol=STRENGTH,
        seed=seed,
        coldStartStrategy="drop",
    )
    return als.fit(ratings)


@dataclass(frozen=True)
class Trained:
    """The top-k recommendations (lazy) and the frames cached to compute them; release after writing."""

    recommendations: DataFrame
    cached: tuple[DataFrame, ...]

    def release(self) -> None:
        for frame in self.cached:
            frame.unpersist()


def recommend(
    interactions: DataFrame,
    *,
    k: int,
    params: AlsConfig,
    weights: dict[str, float],
    seed: int,
    scratch: str | None = None,
) -> Trained:
    """Train on ``interactions``; the top ``k`` per user: (user_id, product_id, rank, score).

    With more products than ``params.candidates``, lists are drawn from the most-interacted
    ``candidates`` products (a two-stage recommender's candidate set): scoring every user
    against every product is users x products work (2.5e11 scores at staging size), the
    candidate set cuts it to users x candidates. ``scratch`` is a folder for the model while
    its item factors are pruned (required then).
    """
    # Each is read several times (both indices, the ratings, the joins back to ids): computed once.
    pairs = strengths(interactions, weights).persist()
    users = dense_index(pairs, col_id=C.USER_ID, col_index=USER_INDEX, as_int=True).persist()
    products = dense_index(pairs, col_id=C.PRODUCT_ID, col_index=PRODUCT_INDEX, as_int=True).persist()
    ratings = (
        pairs.join(users, on=C.USER_ID, how="inner")
        .join(products, on=C.PRODUCT_ID, how="inner")
        .select(USER_INDEX, PRODUCT_INDEX, STRENGTH)
        .persist()
    )
    model = train(ratings, params, seed)
    if params.candidates and products.count() > params.candidates:
        if scratch is None:
            raise ValueError("pruning the candidate products needs a scratch folder")
        model = prune_items(model, candidates(ratings, params.candidates), scratch)
    extra = min(k, 50) if params.exclude_seen else 0
    nested = model.recommendForAllUsers(k + extra)
    long = nested.select(F.col(USER_INDEX), F.posexplode("recommendations").alias("_pos", "_rec")).select(
        USER_INDEX,
        F.col("_rec").getField(PRODUCT_INDEX).alias(PRODUCT_INDEX),
        F.col("_rec").getField("rating").cast("double").alias(SCORE),
        (F.col("_pos") + F.lit(1)).alias("_position"),
    )
    if params.exclude_seen:
        seen = ratings.select(USER_INDEX, PRODUCT_INDEX)
        long = long.join(seen, on=[USER_INDEX, PRODUCT_INDEX], how="left_anti")
    order = Window.partitionBy(USER_INDEX).orderBy(F.col("_position").asc())
    ranked = long.select("*", F.row_number().over(order).alias(RANK)).where(F.col(RANK) <= F.lit(k))
    result = ranked.join(users, on=USER_INDEX, how="inner").join(products, on=PRODUCT_INDEX, how="inner")
    top = result.select(C.USER_ID, C.PRODUCT_ID, F.col(RANK).cast("int").alias(RANK), SCORE)
    return Trained(top, (pairs, users, products, ratings))


def candidates(ratings: DataFrame, count: int) -> DataFrame:
    """(_product) of the ``count`` products with the most interacting users, ties by index."""
    per_product = ratings.groupBy(PRODUCT_INDEX).agg(F.count(F.lit(1)).alias("_users"))
    return per_product.orderBy(F.col("_users").desc(), F.col(PRODUCT_INDEX).asc()).limit(count).select(PRODUCT_INDEX)


def prune_items(model: ALSModel, keep: DataFrame, scratch: str) -> ALSModel:
    """The model with item factors for ``keep`` only, through ALS's own persistence (public API):
    save, rewrite the item factors, load."""
    model.write().overwrite().save(scratch)
    items = model.itemFactors.join(keep.withColumnRenamed(PRODUCT_INDEX, "id"), on="id", how="inner")
    pruned_path = f"{scratch}/itemFactors-pruned"
    items.write.mode("overwrite").parquet(pruned_path)
    spark = items.sparkSession
    spark.read.parquet(pruned_path).write.mode("overwrite").parquet(f"{scratch}/itemFactors")
    return ALSModel.load(scratch)

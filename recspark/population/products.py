"""The products table: ids, category, price, listing time; no class."""

from __future__ import annotations

import math

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from recspark import columns as C
from recspark import seeding
from recspark.population.ids import entity_id, uniform_seconds

# Categories are drawn independently of the hidden class, so they give no hint of it.
CATEGORIES = (
    "books", "music", "movies", "games", "electronics", "home", "garden",
    "fashion", "beauty", "sports", "toys", "food",
)
LISTING_HISTORY_S = 2 * 365 * 86_400
PRICE_LOG_MEAN = 3.2  # median price about 25
PRICE_LOG_SD = 0.9
PRICE_MAX = 99_999_999.99


def products(
    indices: DataFrame,
    *,
    seed: int,
    id_base: int,
    id_bits: int,
    window_start_s: int,
    col_index: str = C.PRODUCT_INDEX,
) -> DataFrame:
    """One row per product index: scrambled id, category, log-normal price, listing time."""
    index = F.col(col_index)
    category = seeding.categorical(
        seeding.uniform(seed, C.PRODUCTS, C.CATEGORY, index), [1.0 / len(CATEGORIES)] * len(CATEGORIES)
    )
    # Box-Muller on two independent draws; 1 - u keeps the log argument in (0, 1].
    u1 = F.lit(1.0) - seeding.uniform(seed, C.PRODUCTS, "price_radius", index)
    u2 = seeding.uniform(seed, C.PRODUCTS, "price_angle", index)
    normal = F.sqrt(F.lit(-2.0) * F.log(u1)) * F.cos(F.lit(2.0 * math.pi) * u2)
    price = F.least(F.exp(F.lit(PRICE_LOG_MEAN) + F.lit(PRICE_LOG_SD) * normal), F.lit(PRICE_MAX))
    return indices.select(
        entity_id(index, id_base, id_bits, seed, C.PRODUCTS).alias(C.PRODUCT_ID),
        F.element_at(F.array(*[F.lit(c) for c in CATEGORIES]), category + 1).alias(C.CATEGORY),
        F.greatest(F.round(price, 2), F.lit(0.01)).cast("decimal(10,2)").alias(C.PRICE),
        uniform_seconds(
            seeding.uniform(seed, C.PRODUCTS, C.LISTED_TS, index),
            window_start_s - LISTING_HISTORY_S,
            LISTING_HISTORY_S,
        ).alias(C.LISTED_TS),
    )

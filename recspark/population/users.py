"""The users table: ids and realistic attributes, no class."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from recspark import columns as C
from recspark import seeding
from recspark.population.ids import entity_id, uniform_seconds

COUNTRIES = ("US", "IN", "BR", "GB", "DE", "FR", "JP", "CA", "AU", "MX")
COUNTRY_SHARES = (0.28, 0.16, 0.10, 0.09, 0.08, 0.07, 0.07, 0.06, 0.05, 0.04)
SIGNUP_HISTORY_S = 3 * 365 * 86_400


def users(
    indices: DataFrame,
    *,
    seed: int,
    id_base: int,
    id_bits: int,
    window_start_s: int,
    col_index: str = C.USER_INDEX,
) -> DataFrame:
    """One row per user index: scrambled id, sign-up time in the three years before the window, country."""
    index = F.col(col_index)
    country = seeding.categorical(seeding.uniform(seed, C.USERS, C.COUNTRY, index), COUNTRY_SHARES)
    return indices.select(
        entity_id(index, id_base, id_bits, seed, C.USERS).alias(C.USER_ID),
        uniform_seconds(
            seeding.uniform(seed, C.USERS, C.SIGNUP_TS, index),
            window_start_s - SIGNUP_HISTORY_S,
            SIGNUP_HISTORY_S,
        ).alias(C.SIGNUP_TS),
        F.element_at(F.array(*[F.lit(c) for c in COUNTRIES]), country + 1).alias(C.COUNTRY),
    )

"""Interaction events: who interacted with what, how and when.

The exposure model is sampled directly rather than impression by impression: a user of class
Ui picks a product class with probability proportional to share(Pj)·A[i][j] (the accepted
share of impressions shown in proportion to catalog share), then a product inside that class
by Zipf-like popularity. A ``noise_share`` of events instead land on a uniformly random
catalog product. Per-user activity is a capped, discretised Lomax (Pareto II) draw.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from recspark import columns as C
from recspark import seeding
from recspark.expressions import pick
from recspark.population.ids import class_of, entity_id
from recspark.population.plan import Plan

_TABLE = C.INTERACTIONS


def activity(u: Column, *, scale: float, tail: float, cap: int) -> Column:
    """Events of one user: min(cap, 1 + floor(X)), X ~ Lomax(tail, scale) by inverse CDF."""
    lomax = F.lit(scale) * (F.pow(F.lit(1.0) - u, F.lit(-1.0 / tail)) - F.lit(1.0))
    # Cap as a double first: the far tail can exceed a bigint, which ANSI mode rejects.
    return F.least(F.lit(float(cap)), F.lit(1.0) + F.floor(lomax).cast("double")).cast("int")


def zipf_rank(u: Column, class_size: Column, exponent: float) -> Column:
    """1-based popularity rank in a class of ``class_size``, density proportional to rank^-exponent.

    Inverse CDF of the continuous power law on [1, size + 1), floored: a Zipf-like draw that
    needs no table of the size of the catalog.
    """
    top = class_size.cast("double") + F.lit(1.0)
    if abs(exponent - 1.0) < 1e-12:
        x = F.pow(top, u)
    else:
        a = 1.0 - exponent
        x = F.pow(F.lit(1.0) + u * (F.pow(top, F.lit(a)) - F.lit(1.0)), F.lit(1.0 / a))
    return F.least(F.floor(x).cast("bigint"), class_size.cast("bigint"))


def _product_class(user_class: Column, u: Column, affinity_mix: Sequence[Sequence[float]]) -> Column:
    expr = seeding.categorical(u, affinity_mix[-1])
    for i in range(len(affinity_mix) - 2, -1, -1):
        expr = F.when(user_class == F.lit(i), seeding.categorical(u, affinity_mix[i])).otherwise(expr)
    return expr


def interactions(
    user_indices: DataFrame,
    *,
    plan: Plan,
    affinity_mix: Sequence[Sequence[float]],
    col_index: str = C.USER_INDEX,
) -> DataFrame:
    """All events of every user index, in the interactions schema.

    ``affinity_mix`` is the noise-free product-class mix per user class (share·A, normalised).
    """
    seed = plan.seed
    index = F.col(col_index)
    per_user = user_indices.select(
        index.alias(C.USER_INDEX),
        class_of(index, plan.users.starts).alias(C.USER_CLASS),
        activity(
            seeding.uniform(seed, _TABLE, "activity", index),
            scale=plan.activity_scale,
            tail=plan.activity_tail,
            cap=plan.max_per_user,
        ).alias("_events"),
        entity_id(index, plan.users.id_base, plan.users.id_bits, seed, C.USERS).alias(C.USER_ID),
    )
    draws = per_user.select(
        C.USER_INDEX,
        C.USER_CLASS,
        C.USER_ID,
        F.explode(F.sequence(F.lit(0).cast("bigint"), (F.col("_events") - F.lit(1)).cast("bigint"))).alias(C.DRAW),
    )
    u_index, draw = F.col(C.USER_INDEX), F.col(C.DRAW)

    def draw_uniform(column: str) -> Column:
        return seeding.uniform(seed, _TABLE, column, u_index, draw)

    products = plan.products
    # Staged selects: a column used by several expressions is computed once, in its own
    # projection, rather than inlined into each (and into every Feistel round).
    with_class = draws.select(
        C.USER_INDEX,
        C.USER_ID,
        C.DRAW,
        _product_class(F.col(C.USER_CLASS), draw_uniform("product_class"), affinity_mix).alias(C.PRODUCT_CLASS),
        (draw_uniform("noise") < F.lit(plan.noise_share)).alias("_is_noise"),
    )
    product_class = F.col(C.PRODUCT_CLASS)
    rank = zipf_rank(draw_uniform("popularity"), pick(products.counts, product_class), plan.popularity_exponent)
    planted_index = pick(products.starts, product_class).cast("bigint") + rank - F.lit(1)
    noise_index = F.least(
        F.floor(draw_uniform("noise_product") * F.lit(products.count)).cast("bigint"),
        F.lit(products.count - 1).cast("bigint"),
    )
    event_s = F.lit(plan.start_epoch_s) + F.floor(draw_uniform(C.EVENT_TS) * F.lit(plan.window_s)).cast("bigint")
    event_key = F.shiftleft(u_index, plan.draw_bits).bitwiseOR(draw)
    events = with_class.select(
        entity_id(event_key, plan.event_id_base, plan.event_id_bits, seed, _TABLE).alias(C.EVENT_ID),
        C.USER_ID,
        F.when(F.col("_is_noise"), noise_index).otherwise(planted_index).alias(C.PRODUCT_INDEX),
        pick(plan.event_types, seeding.categorical(draw_uniform(C.EVENT_TYPE), plan.event_mix)).alias(C.EVENT_TYPE),
        event_s.alias("_event_s"),
    )
    return events.select(
        C.EVENT_ID,
        C.USER_ID,
        entity_id(F.col(C.PRODUCT_INDEX), products.id_base, products.id_bits, seed, C.PRODUCTS).alias(C.PRODUCT_ID),
        C.EVENT_TYPE,
        F.timestamp_seconds(F.col("_event_s")).alias(C.EVENT_TS),
        F.date_from_unix_date(F.floor(F.col("_event_s") / F.lit(86_400)).cast("int")).alias(C.EVENT_DATE),
    )

"""Tiny configs built beside the assertions that use them."""

from __future__ import annotations

from typing import Any

from recspark.config import GeneratorConfig, parse_config

TINY: dict[str, Any] = {
    "seed": 7,
    "users": {"count": 2_000, "id_base": 5_000_000_000},
    "products": {"count": 400, "id_base": 6_000_000_000},
    "interactions": {"mean_per_user": 8, "max_per_user": 200, "days": 5, "id_base": 9_000_000_000},
}


def tiny_config(**sections: Any) -> GeneratorConfig:
    """The tiny config with sections merged in: tiny_config(seed=3, users={"count": 500})."""
    data = {key: dict(value) if isinstance(value, dict) else value for key, value in TINY.items()}
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_config(data)


def tiny_overrides() -> list[str]:
    """The tiny config as --set arguments for the CLI."""
    out = []
    for section, value in TINY.items():
        if isinstance(value, dict):
            out += [f"{section}.{k}={v}" for k, v in value.items()]
        else:
            out.append(f"{section}={value}")
    return out


def recommendations_from_labels(spark, labels, *, k: int = 20, seed: int = 1, mode: str = "perfect",
                                noise_share: float = 0.0, affinity=None):
    """Long-form recommendations (user_id, product_id, rank) built from the hidden labels.

    mode 'perfect': every user gets k distinct products of the favourite class of its user class
    (the argmax of its affinity row; class i when no matrix is given); 'random': k uniformly
    random catalog products. ``noise_share`` then replaces that share of each perfect list, at
    the bottom ranks, with random catalog products.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    users = labels.where(F.col("entity") == "user").select(
        F.col("id").alias("user_id"), F.col("class_index").alias("user_class")
    )
    products = labels.where(F.col("entity") == "product").select(
        F.col("id").alias("product_id"), F.col("class_index").alias("product_class")
    )
    if affinity is not None:
        favourites = [max(range(len(row)), key=lambda j: row[j]) for row in affinity]
        favourite = F.element_at(F.array(*[F.lit(f) for f in favourites]), F.col("user_class") + 1)
    else:
        favourite = F.col("user_class")
    in_class = products.select(
        "product_id", "product_class",
        F.row_number().over(Window.partitionBy("product_class").orderBy("product_id")).alias("pos"),
    )
    sizes = in_class.groupBy("product_class").agg(F.max("pos").alias("size"))
    catalog = products.select(
        "product_id", F.row_number().over(Window.orderBy("product_id")).alias("cpos")
    )
    n_catalog = catalog.count()
    slots = users.select("user_id", favourite.alias("fav"), F.explode(F.sequence(F.lit(1), F.lit(k))).alias("rank"))
    noisy = round(noise_share * k)
    start = F.pmod(F.xxhash64(F.lit(seed), F.col("user_id")), F.lit(10_000))
    planted = (
        slots.withColumnRenamed("fav", "product_class")
        .join(sizes, on="product_class", how="inner")
        .select("user_id", "rank", "product_class", (F.pmod(start + F.col("rank"), F.col("size")) + 1).alias("pos"))
        .join(in_class, on=["product_class", "pos"], how="inner")
        .select("user_id", "product_id", "rank")
    )
    pool = (
        users.select("user_id", F.explode(F.sequence(F.lit(1), F.lit(3 * k))).alias("draw"))
        .select(
            "user_id", "draw",
            (F.pmod(F.xxhash64(F.lit(seed + 1), F.col("user_id"), F.col("draw")), F.lit(n_catalog)) + 1).alias("cpos"),
        )
        .join(catalog, on="cpos", how="inner")
    )
    if mode == "random":
        kept = pool
        offset = 0
        wanted = k
    else:
        kept = pool.join(planted.where(F.col("rank") <= k - noisy).select("user_id", "product_id"),
                         on=["user_id", "product_id"], how="left_anti")
        offset = k - noisy
        wanted = noisy
    first_draw = kept.groupBy("user_id", "product_id").agg(F.min("draw").alias("draw"))
    random_pick = first_draw.select(
        "user_id", "product_id",
        (F.row_number().over(Window.partitionBy("user_id").orderBy("draw")) + F.lit(offset)).alias("rank"),
    ).where(F.col("rank") <= F.lit(offset + wanted))
    if mode == "random":
        return random_pick
    if noisy == 0:
        return planted
    return planted.where(F.col("rank") <= k - noisy).unionByName(random_pick)

"""Gate cost at staging size: evaluate + validate against one plain Spark pass over the same data.

Generates the staging profile (or reuses it), writes recommendations for every user (500,000
users x k=20 = 10M rows) with 15% noise, then times, in one session:
- a plain pass: read the recommendations, join the labels, aggregate once;
- recspark evaluate (Spark metrics, evaluations and violations tables);
- the GX suites on the metric tables (recommendations, affinity, comparison) with Data Docs.

    python benchmarks/evaluate_bench.py --lake /tmp/recspark-bench

Figures are measurements of this machine, printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pyspark.sql import functions as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recspark import columns as C
from recspark.config import load_config, load_gate_config
from recspark.evaluation.evaluate import evaluate
from recspark.gate import gate_evaluation
from recspark.generate import generate
from recspark.logs import configure
from recspark.session import build_session
from recspark.storage import lake as storage
from recspark.storage.manifest import manifest_path
from recspark.validation.gx import Validator
from tests.builders import recommendations_from_labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", default="/tmp/recspark-bench")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="6g")
    args = parser.parse_args()
    configure()
    spark = build_session(args.master, {"spark.driver.memory": args.driver_memory}, "recspark-evaluate-bench")
    dataset = "staging"
    if not Path(manifest_path(args.lake, dataset)).is_file():
        generate(spark, load_config("staging"), args.lake, dataset)
    labels = storage.read_table(spark, storage.table_path(args.lake, dataset, C.LABELS))
    recs_path = f"{args.lake}/recs-v2"
    if not storage.is_table(spark, recs_path):
        # The test builder is written for tiny data; at this size keep its joins unbroadcast.
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
        recommendations_from_labels(spark, labels, noise_share=0.15).write.format("delta").save(recs_path)
        spark.conf.unset("spark.sql.autoBroadcastJoinThreshold")
    rows = storage.read_table(spark, recs_path).count()
    gate = load_gate_config()

    started = time.perf_counter()
    products = labels.where(F.col(C.ENTITY) == C.ENTITY_PRODUCT).select(F.col(C.ID).alias(C.PRODUCT_ID), C.CLASS_INDEX)
    users = labels.where(F.col(C.ENTITY) == C.ENTITY_USER).select(F.col(C.ID).alias(C.USER_ID), F.col(C.CLASS_INDEX).alias("uc"))
    (
        storage.read_table(spark, recs_path)
        .join(users, on=C.USER_ID, how="inner")
        .join(products, on=C.PRODUCT_ID, how="left")
        .groupBy("uc", C.CLASS_INDEX)
        .count()
        .collect()
    )
    plain = time.perf_counter() - started

    started = time.perf_counter()
    evaluation = evaluate(spark, args.lake, dataset, recs_path, "V2", gate)
    spark_part = time.perf_counter() - started
    started = time.perf_counter()
    verdict = gate_evaluation(spark, Validator(f"{args.lake}/{dataset}/reports"), evaluation, gate)
    gx_part = time.perf_counter() - started
    total = spark_part + gx_part
    print(f"recommendations: {rows:,} rows, {spark.sparkContext.defaultParallelism} cores")
    print(f"  plain pass (read, join labels, aggregate once) {plain:8.1f} s")
    print(f"  recspark evaluate (metrics, tables)            {spark_part:8.1f} s")
    print(f"  GX suites and Data Docs                        {gx_part:8.1f} s")
    print(f"  total {total:.1f} s = {total / plain:.2f}x the plain pass; GX {100 * gx_part / total:.0f}% of the total")
    print(f"  verdict {verdict.verdict}")
    spark.stop()


if __name__ == "__main__":
    main()

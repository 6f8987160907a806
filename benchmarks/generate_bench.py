"""Generation throughput: recspark's planted interactions against dbldatagen's uniform rows.

Prints events per second for recspark into a noop sink, Parquet and Delta, and, in the same
run and Spark session on the same four columns (user_id, product_id, event_type, event_ts),
dbldatagen's uniform-random generation into the same sinks, with the ratios. Optional:
the staging profile end to end, and the production profile with its peak memory.

    python benchmarks/generate_bench.py --events 10000000
    python benchmarks/generate_bench.py --staging
    python benchmarks/generate_bench.py --production --driver-memory 16g

Figures are measurements of this machine, printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from recspark import columns as C
from recspark.config import load_config
from recspark.generate import generate, population_frames
from recspark.population.plan import make_plan
from recspark.session import build_session

BENCH_COLUMNS = [C.USER_ID, C.PRODUCT_ID, C.EVENT_TYPE, C.EVENT_TS]


class PeakMemory:
    """Polls the driver JVM's resident set (local mode: driver and executors are one JVM)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak_kib = max(self.peak_kib, self._read())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, self._read())


def timed(label: str, rows: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    rate = rows / seconds
    print(f"  {label:<34}{rows:>14,} rows {seconds:>8.1f} s {rate:>14,.0f} events/s", flush=True)
    return rate


def sinks(df: DataFrame, out: Path, name: str) -> dict[str, Callable[[], object]]:
    return {
        "noop": lambda: df.write.format("noop").mode("overwrite").save(),
        "parquet": lambda: df.write.mode("overwrite").parquet(str(out / f"{name}-parquet")),
        "delta": lambda: df.write.format("delta").mode("overwrite").save(str(out / f"{name}-delta")),
    }


def recspark_events(spark: SparkSession, events: int, seed: int) -> tuple[DataFrame, int]:
    mean = 20
    config = load_config(
        "staging",
        [f"users.count={max(1000, events // mean)}", f"interactions.mean_per_user={mean}"],
        seed=seed,
    )
    frames = population_frames(spark, make_plan(config))
    df = frames[C.INTERACTIONS][0].select(*BENCH_COLUMNS)
    return df, df.count()


def dbldatagen_events(spark: SparkSession, rows: int, partitions: int) -> DataFrame:
    import dbldatagen as dg

    start = dt.datetime(2026, 1, 1)
    spec = (
        dg.DataGenerator(spark, name="events", rows=rows, partitions=partitions, randomSeedMethod="hash_fieldname")
        .withColumn(C.USER_ID, "long", minValue=1, maxValue=500_000, random=True)
        .withColumn(C.PRODUCT_ID, "long", minValue=1, maxValue=500_000, random=True)
        .withColumn(C.EVENT_TYPE, "string", values=["like", "save", "comment", "message", "purchase"], random=True)
        .withColumn(
            C.EVENT_TS, "timestamp", begin=start.strftime("%Y-%m-%d %H:%M:%S"),
            end=(start + dt.timedelta(days=28)).strftime("%Y-%m-%d %H:%M:%S"),
            interval="1 second", random=True,
        )
    )
    return spec.build().select(*BENCH_COLUMNS)


def throughput(spark: SparkSession, events: int, out: Path) -> None:
    print(f"throughput, {spark.sparkContext.defaultParallelism} cores, schema {', '.join(BENCH_COLUMNS)}")
    ours, rows = recspark_events(spark, events, seed=1)
    ours_rates = {sink: timed(f"recspark planted -> {sink}", rows, run) for sink, run in sinks(ours, out, "ours").items()}
    try:
        theirs = dbldatagen_events(spark, rows, ours.rdd.getNumPartitions())
    except ImportError:
        print("  dbldatagen is not installed (pip install -e '.[bench]'); skipping the comparison")
        return
    their_rates = {
        sink: timed(f"dbldatagen uniform -> {sink}", rows, run) for sink, run in sinks(theirs, out, "dbldatagen").items()
    }
    for sink in ours_rates:
        print(f"  ratio recspark/dbldatagen, {sink:<8} {ours_rates[sink] / their_rates[sink]:>6.2f}x")
    print(f"  ratio recspark delta / dbldatagen noop: {ours_rates['delta'] / their_rates['noop']:.2f}x")


def profile_end_to_end(spark: SparkSession, profile: str, out: Path) -> None:
    config = load_config(profile)
    pid = int(spark._jvm.java.lang.ProcessHandle.current().pid())  # type: ignore[attr-defined]
    print(f"{profile} profile end to end: {config.users.count:,} users, {config.products.count:,} products")
    with PeakMemory(pid) as memory:
        started = time.perf_counter()
        manifest = generate(spark, config, str(out), profile)
        seconds = time.perf_counter() - started
    events = manifest["sizes"][C.INTERACTIONS]
    python_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  generated {events:,} events and {sum(manifest['sizes'].values()):,} rows in {seconds:.1f} s "
          f"({events / seconds:,.0f} events/s)")
    print(f"  peak memory: JVM {memory.peak_kib / 1024 / 1024:.2f} GiB, Python driver {python_peak:.0f} MiB")
    print(f"  on disk: {sum(f.stat().st_size for f in (out / profile).rglob('*') if f.is_file()) / 2**30:.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events for the throughput run")
    parser.add_argument("--staging", action="store_true", help="also generate the staging profile end to end")
    parser.add_argument("--production", action="store_true", help="also generate the production profile")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--out", default=None, help="scratch folder (default: a temporary one, removed)")
    args = parser.parse_args()

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="recspark-bench-"))
    spark = build_session(args.master, {"spark.driver.memory": args.driver_memory}, "recspark-bench")
    try:
        if not args.skip_throughput:
            throughput(spark, args.events, out)
        if args.staging:
            profile_end_to_end(spark, "staging", out)
        if args.production:
            profile_end_to_end(spark, "production", out)
    finally:
        spark.stop()
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The ``recspark`` command: loads config, builds the session, calls the pipeline.

Exit codes: 0 success, 1 a check failed, 2 bad usage or input (nothing written).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from recspark import __version__
from recspark.errors import InputError, RecsparkError
from recspark.logs import configure

if TYPE_CHECKING:
    from recspark.config import GateConfig, ModelConfig
    from recspark.selftest import Case

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


class RecsparkGroup(click.Group):
    """Turns recspark's own errors into one line on stderr and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecsparkError as exc:
            click.echo(f"recspark: {exc}", err=True)
            ctx.exit(exc.exit_code)


def parse_conf(items: Iterable[str]) -> dict[str, str]:
    """``--conf key=value`` pairs, as spark-submit takes them."""
    conf = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--conf: expected key=value, e.g. spark.executor.memory=4g, got {item!r}")
        conf[key.strip()] = value
    return conf


def spark_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--master and --conf on every command that starts Spark."""

    @click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
    @click.option("--conf", "spark_conf", multiple=True, metavar="KEY=VALUE", help="Spark setting (repeatable).")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


def lake_options(command: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--lake", envvar="RECSPARK_LAKE", required=True, help="Lake root: a folder or s3a:// URI [env RECSPARK_LAKE].")
    @click.option("--dataset", required=True, help="Dataset name under the lake root.")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


def _session(master: str, spark_conf: Iterable[str]) -> Any:
    from recspark.session import build_session

    return build_session(master=master, conf=parse_conf(spark_conf))


@click.group(cls=RecsparkGroup)
@click.version_option(__version__, prog_name="recspark")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def cli(verbose: bool) -> None:
    """Plant a population with known tastes in a Delta lake, and check recommenders against it."""
    configure(verbose)


@cli.command()
@click.option("--profile", default="local", show_default=True, help="local, staging, production, or a YAML path.")
@lake_options
@click.option("--seed", type=int, default=None, help="Override the profile's seed.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override one config key (repeatable).")
@click.option("--check/--no-check", default=False, show_default=True, help="Run check-data after generating.")
@spark_options
def generate(
    profile: str, lake: str, dataset: str, seed: int | None, overrides: tuple[str, ...],
    check: bool, master: str, spark_conf: tuple[str, ...],
) -> None:
    """Generate users, products, labels and interactions as Delta tables."""
    from recspark.config import load_config
    from recspark.generate import generate as run_generate
    from recspark.population.plan import make_plan
    from recspark.storage.lake import dataset_path

    config = load_config(profile, overrides, seed)
    target = dataset_path(lake, dataset)
    conf = parse_conf(spark_conf)
    plan = make_plan(config)
    click.echo(
        f"generating {target}: {plan.users.count:,} users, {plan.products.count:,} products, "
        f"~{plan.expected_events:,.0f} events, seed {config.seed}",
        err=True,
    )
    started = time.perf_counter()
    spark = _session(master, [f"{k}={v}" for k, v in conf.items()])
    manifest = run_generate(spark, config, lake, dataset)
    elapsed = time.perf_counter() - started
    click.echo(format_summary(manifest, target, elapsed))
    if check:
        _run_check(spark, lake, dataset)


@cli.command("check-data")
@lake_options
@spark_options
def check_data(lake: str, dataset: str, master: str, spark_conf: tuple[str, ...]) -> None:
    """Check that the dataset's tables reproduce the planted plan; exit 1 if not."""
    from recspark.storage.lake import dataset_path

    dataset_path(lake, dataset)
    _run_check(_session(master, spark_conf), lake, dataset)


def _run_check(spark: Any, lake: str, dataset: str) -> None:
    from recspark.checks.data_check import check_dataset

    checks = check_dataset(spark, lake, dataset)
    click.echo(format_checks(checks))
    failed = [c for c in checks if not c.passed]
    if failed:
        click.echo(f"check-data: FAIL, {len(failed)} of {len(checks)} checks failed: "
                   + ", ".join(c.name for c in failed), err=True)
        raise SystemExit(EXIT_FAILED)
    click.echo(f"check-data: PASS, {len(checks)} checks")


def _reports(lake: str, dataset: str, reports: str | None) -> str:
    """Reports folder: --reports, else <lake>/<dataset>/reports on a local lake, else ./recspark-reports/<dataset>."""
    from recspark.storage.lake import dataset_path, is_local

    if reports:
        return reports
    root = dataset_path(lake, dataset)
    return f"{root}/reports" if is_local(root) else f"recspark-reports/{dataset}"


def gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--gate", "gate_path", default=None, help="Gate thresholds YAML [default: conf/gate.yaml].")
    @click.option("--gate-set", "gate_overrides", multiple=True, metavar="KEY=VALUE", help="Override one threshold.")
    @click.option("--reports", default=None, help="Reports folder [default: <lake>/<dataset>/reports].")
    @click.option("--verdict", "verdict_path", default=None, help="Where to write verdict.json [default: in --reports].")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


def _finish(spark: Any, lake: str, dataset: str, verdict: Any, reports: str, verdict_path: str | None) -> None:
    from recspark.gate import format_verdict, keep_verdict, write_verdict

    path = write_verdict(verdict_path or f"{reports}/verdict.json", verdict)
    keep_verdict(reports, verdict)
    click.echo(format_verdict(verdict))
    click.echo(f"verdict.json: {path}")
    click.echo(f"report: {_report(spark, lake, dataset, reports)}")
    raise SystemExit(verdict.exit_code)


def _report(spark: Any, lake: str, dataset: str, reports: str) -> str:
    from recspark.report.html import build_report
    from recspark.storage.manifest import read_manifest

    return build_report(reports, read_manifest(spark, lake, dataset), dataset=dataset)


@cli.command()
@lake_options
@click.option("--recs", required=True, help="Recommendations: a Delta table path, or Parquet/CSV/JSON.")
@click.option("--version", "model_version", required=True, help="Model version being evaluated, e.g. V2.")
@click.option("--format", "fmt", type=click.Choice(["delta", "parquet", "csv", "json"]), default=None,
              help="Input format [default: detected].")
@click.option("--k", type=int, default=None, help="Recommendations per user that count [default: gate k].")
@click.option("--baseline", default=None, help="An evaluated version to compare against.")
@click.option("--user-col", default="user_id", show_default=True)
@click.option("--product-col", default="product_id", show_default=True)
@click.option("--rank-col", default="rank", show_default=True)
@click.option("--score-col", default="score", show_default=True)
@click.option("--list-col", default="recommendations", show_default=True, help="Nested array column.")
@gate_options
@spark_options
def evaluate(
    lake: str, dataset: str, recs: str, model_version: str, fmt: str | None, k: int | None, baseline: str | None,
    user_col: str, product_col: str, rank_col: str, score_col: str, list_col: str,
    gate_path: str | None, gate_overrides: tuple[str, ...], reports: str | None, verdict_path: str | None,
    master: str, spark_conf: tuple[str, ...],
) -> None:
    """Evaluate a recommender version against the planted truth and give a verdict.

    Exit 0 PASS, 3 WARN (needs review), 1 FAIL, 2 bad input.
    """
    from recspark.config import load_gate_config
    from recspark.evaluation.evaluate import evaluate as run_evaluate
    from recspark.evaluation.evaluate import load_evaluation
    from recspark.evaluation.recommendations import RecsColumns
    from recspark.gate import gate_evaluation
    from recspark.validation.gx import Validator

    overrides = list(gate_overrides) + ([f"k={k}"] if k is not None else [])
    gate = load_gate_config(gate_path, overrides)
    folder = _reports(lake, dataset, reports)
    spark = _session(master, spark_conf)
    base = load_evaluation(spark, lake, dataset, baseline) if baseline else None
    cols = RecsColumns(user_col, product_col, rank_col, score_col, list_col)
    evaluation = run_evaluate(spark, lake, dataset, recs, model_version, gate, fmt=fmt, cols=cols)
    verdict = gate_evaluation(spark, Validator(folder), evaluation, gate, base)
    _finish(spark, lake, dataset, verdict, folder, verdict_path)


@cli.command()
@lake_options
@click.option("--baseline", required=True, help="Evaluated baseline version.")
@click.option("--candidate", required=True, help="Evaluated candidate version.")
@gate_options
@spark_options
def compare(
    lake: str, dataset: str, baseline: str, candidate: str, gate_path: str | None, gate_overrides: tuple[str, ...],
    reports: str | None, verdict_path: str | None, master: str, spark_conf: tuple[str, ...],
) -> None:
    """Compare two stored evaluations (non-inferiority on confidence bounds)."""
    from recspark.config import load_gate_config
    from recspark.evaluation.evaluate import load_evaluation
    from recspark.gate import gate_evaluation
    from recspark.validation.gx import Validator

    gate = load_gate_config(gate_path, gate_overrides)
    folder = _reports(lake, dataset, reports)
    spark = _session(master, spark_conf)
    base = load_evaluation(spark, lake, dataset, baseline)
    cand = load_evaluation(spark, lake, dataset, candidate)
    verdict = gate_evaluation(spark, Validator(folder), cand, gate, base, with_floors=False)
    _finish(spark, lake, dataset, verdict, folder, verdict_path)


@cli.command("validate-data")
@lake_options
@click.option("--reports", default=None, help="Reports folder [default: <lake>/<dataset>/reports].")
@click.option("--verdict", "verdict_path", default=None, help="Where to write verdict.json.")
@spark_options
def validate_data(lake: str, dataset: str, reports: str | None, verdict_path: str | None,
                  master: str, spark_conf: tuple[str, ...]) -> None:
    """Run the data suite (Great Expectations) on a generated dataset."""
    from recspark.gate import gate_data
    from recspark.validation.gx import Validator

    folder = _reports(lake, dataset, reports)
    spark = _session(master, spark_conf)
    from recspark.storage.manifest import read_manifest

    read_manifest(spark, lake, dataset)
    verdict = gate_data(spark, Validator(folder), lake, dataset)
    _finish(spark, lake, dataset, verdict, folder, verdict_path)


def model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--model-conf", "model_path", default=None, help="Model settings YAML [default: conf/model.yaml].")
    @click.option("--model-set", "model_overrides", multiple=True, metavar="KEY=VALUE",
                  help="Override one model setting, e.g. als.rank=16 (repeatable).")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


@cli.command("train-baseline")
@lake_options
@click.option("--version", "model_version", default="V1", show_default=True, help="Model version to write.")
@click.option("--seed", type=int, default=None, help="ALS seed [default: the model settings' seed].")
@model_options
@spark_options
def train_baseline_command(
    lake: str, dataset: str, model_version: str, seed: int | None, model_path: str | None,
    model_overrides: tuple[str, ...], master: str, spark_conf: tuple[str, ...],
) -> None:
    """Train the reference recommender (ALS, implicit) on the dataset's interactions.

    Writes the top k per user to <lake>/<dataset>/recommendations/<version>.
    """
    from recspark.config import load_model_config
    from recspark.models.contract import recommendations_path
    from recspark.models.runs import train_baseline

    model = load_model_config(model_path, model_overrides)
    path = recommendations_path(lake, dataset, model_version)
    started = time.perf_counter()
    commit = train_baseline(_session(master, spark_conf), lake, dataset, model_version, model, seed)
    click.echo(f"{model_version}: {commit.rows:,} recommendations at {path} (Delta version {commit.version}, "
               f"{time.perf_counter() - started:.1f}s)")


@cli.command()
@lake_options
@click.option("--from", "source", required=True, help="Stored model version to degrade.")
@click.option("--kind", type=click.Choice(["noise", "random", "shuffle", "empty", "popularity"]), required=True,
              help="noise: random products replace the bottom --share of each list; random: random lists; "
                   "shuffle: each user gets another user's list; empty: nothing survives a filter; "
                   "popularity: the most-interacted products for everyone.")
@click.option("--share", type=float, default=None, help="noise only: share of each list replaced [default: model noise_share].")
@click.option("--to", "target", required=True, help="Model version to write.")
@click.option("--seed", type=int, default=None, help="Seed of the random draws [default: the model settings' seed].")
@model_options
@spark_options
def mutate(
    lake: str, dataset: str, source: str, kind: str, share: float | None, target: str, seed: int | None,
    model_path: str | None, model_overrides: tuple[str, ...], master: str, spark_conf: tuple[str, ...],
) -> None:
    """Derive a degraded version from stored recommendations (deterministic from the seed)."""
    from recspark.config import load_model_config
    from recspark.models.contract import recommendations_path
    from recspark.models.runs import mutate as run_mutate

    model = load_model_config(model_path, model_overrides)
    path = recommendations_path(lake, dataset, target)
    commit = run_mutate(_session(master, spark_conf), lake, dataset, source=source, kind=kind, target=target,
                        model=model, share=share, seed=seed)
    click.echo(f"{target} ({kind} of {source}): {commit.rows:,} recommendations at {path} (Delta version {commit.version})")


@cli.command()
@lake_options
@click.option("--baseline", default="V1", show_default=True, help="Baseline version (trained first if not stored).")
@click.option("--retrain/--no-retrain", default=False, show_default=True, help="Retrain the baseline even if stored.")
@click.option("--only", multiple=True, type=click.Choice(["retrain", "noise", "random", "shuffle", "empty", "popularity"]),
              help="Run only these cases (repeatable); the baseline always runs.")
@model_options
@gate_options
@spark_options
def selftest(
    lake: str, dataset: str, baseline: str, retrain: bool, only: tuple[str, ...], model_path: str | None,
    model_overrides: tuple[str, ...],
    gate_path: str | None, gate_overrides: tuple[str, ...], reports: str | None, verdict_path: str | None,
    master: str, spark_conf: tuple[str, ...],
) -> None:
    """Test the gate: the baseline and a retrain must PASS, noise WARN, random/shuffle/empty/popularity FAIL.

    Exit 0 when every case gets its expected verdict, 1 naming the cases that did not.
    """
    from recspark.config import load_gate_config, load_model_config
    from recspark.models.contract import check_version
    from recspark.selftest import selftest_cases

    check_version(baseline, "--baseline")
    model = load_model_config(model_path, model_overrides)
    gate = load_gate_config(gate_path, gate_overrides)
    cases = [c for c in selftest_cases(baseline) if not only or c.kind == "baseline" or c.kind in only]
    _run_story(_session(master, spark_conf), lake, dataset, cases, retrain, model, gate, reports, title="selftest")


def _run_story(
    spark: Any, lake: str, dataset: str, cases: Sequence[Case], train: bool, model: ModelConfig, gate: GateConfig,
    reports: str | None,
    *, title: str,
) -> None:
    """Run the cases (selftest or demo), print the table, rebuild the report; exit 1 on a surprise."""
    from recspark.selftest import format_results, mutation_score, run_cases
    from recspark.storage.manifest import read_manifest
    from recspark.validation.gx import Validator

    folder = _reports(lake, dataset, reports)
    read_manifest(spark, lake, dataset)
    started = time.perf_counter()
    results = run_cases(spark, lake, dataset, cases, model=model, gate=gate, validator=Validator(folder),
                        reports=folder, train=train)
    click.echo(format_results(results))
    caught, mutants = mutation_score(results)
    wrong = [r for r in results if not r.as_expected]
    click.echo(f"{title}: {len(results) - len(wrong)} of {len(results)} verdicts as expected; mutation score "
               f"{caught}/{mutants} mutants caught ({time.perf_counter() - started:.0f}s)")
    click.echo(f"report: {_report(spark, lake, dataset, folder)}")
    if wrong:
        click.echo(f"{title}: FAIL: " + "; ".join(
            f"{r.case.name} ({r.case.version}) expected {r.case.expected}, got {r.verdict.verdict}" for r in wrong),
            err=True)
        raise SystemExit(EXIT_FAILED)


@cli.command()
@click.option("--profile", default="local", show_default=True, help="local, staging, production, or a YAML path.")
@click.option("--lake", envvar="RECSPARK_LAKE", default="lake", show_default=True, help="Lake root [env RECSPARK_LAKE].")
@click.option("--dataset", default="demo", show_default=True, help="Dataset name under the lake root.")
@click.option("--seed", type=int, default=None, help="Override the profile's seed.")
@click.option("--reuse/--fresh", default=True, show_default=True,
              help="Reuse a stored dataset generated from the same config (generation is deterministic).")
@model_options
@gate_options
@spark_options
def demo(
    profile: str, lake: str, dataset: str, seed: int | None, reuse: bool, model_path: str | None,
    model_overrides: tuple[str, ...], gate_path: str | None, gate_overrides: tuple[str, ...], reports: str | None,
    verdict_path: str | None, master: str, spark_conf: tuple[str, ...],
) -> None:
    """The whole story: plant a population, train V1, derive V2 (noise), V3 (random), V4 (empty), gate each.

    Expected: V1 PASS, V2 WARN, V3 FAIL, V4 FAIL. Exit 0 when the gate says so, 1 otherwise.
    """
    from recspark.config import load_config, load_gate_config, load_model_config
    from recspark.generate import generate as run_generate
    from recspark.selftest import demo_cases
    from recspark.storage.manifest import manifest_path, read_manifest

    config = load_config(profile, (), seed)
    model = load_model_config(model_path, model_overrides)
    gate = load_gate_config(gate_path, gate_overrides)
    started = time.perf_counter()
    spark = _session(master, spark_conf)
    stored = None
    if reuse:
        try:
            stored = read_manifest(spark, lake, dataset)
        except RecsparkError:
            stored = None
    if stored is not None and stored.get("config_hash") == config.content_hash():
        click.echo(f"reusing {manifest_path(lake, dataset)} (same config {config.content_hash()[:12]}; --fresh regenerates)")
    else:
        click.echo(f"generating the {profile} profile into {lake}/{dataset} ...", err=True)
        manifest = run_generate(spark, config, lake, dataset)
        click.echo(format_summary(manifest, f"{lake}/{dataset}", time.perf_counter() - started))
    _run_story(spark, lake, dataset, demo_cases(), True, model, gate, reports, title="demo")
    click.echo(f"demo finished in {time.perf_counter() - started:.0f}s")


@cli.command()
@lake_options
@click.option("--reports", default=None, help="Reports folder [default: <lake>/<dataset>/reports].")
@spark_options
def report(lake: str, dataset: str, reports: str | None, master: str, spark_conf: tuple[str, ...]) -> None:
    """Rebuild the HTML report (<reports>/index.html) from the kept verdicts."""
    folder = _reports(lake, dataset, reports)
    click.echo(_report(_session(master, spark_conf), lake, dataset, folder))


@cli.command("validate-lake")
@lake_options
@click.option("--reports", default=None, help="Reports folder [default: <lake>/<dataset>/reports].")
@spark_options
def validate_lake(lake: str, dataset: str, reports: str | None, master: str, spark_conf: tuple[str, ...]) -> None:
    """Validate the interactions added since the last validated Delta version (scheduled runs).

    Records each run in <dataset>/validation_history; exit 0 PASS, 1 FAIL.
    """
    from recspark.gate import keep_verdict, write_verdict
    from recspark.lake_validation import format_run
    from recspark.lake_validation import validate_lake as run_validate_lake
    from recspark.validation.gx import Validator

    folder = _reports(lake, dataset, reports)
    spark = _session(master, spark_conf)
    run = run_validate_lake(spark, Validator(folder), lake, dataset)
    write_verdict(f"{folder}/verdict-lake.json", run.verdict)
    keep_verdict(folder, run.verdict)
    click.echo(format_run(run))
    raise SystemExit(run.verdict.exit_code)


@cli.command()
@lake_options
@click.option("--dry-run", is_flag=True, help="Show what would go; remove nothing.")
@click.option("--table", "tables", multiple=True, metavar="PATH",
              help="A staging Delta table to delete the dataset's rows from (ids in its ranges; repeatable).")
@spark_options
def purge(lake: str, dataset: str, dry_run: bool, tables: tuple[str, ...], master: str, spark_conf: tuple[str, ...]) -> None:
    """Remove one synthetic population and its outputs, and nothing else."""
    from recspark.storage.purge import format_plan, plan_purge, run_purge

    spark = _session(master, spark_conf)
    plan = plan_purge(spark, lake, dataset, tables)
    if not dry_run:
        plan = run_purge(spark, plan)
    click.echo(format_plan(plan))


@cli.command("emr-steps")
@click.option("--emr-conf", default=None, help="EMR settings YAML [default: conf/emr.yaml].")
@click.option("--dataset", required=True, help="Dataset name under the EMR lake root.")
@click.option("--profile", default="staging", show_default=True, help="Profile to generate.")
@click.option("--version", "model_version", default="V1", show_default=True, help="Model version to evaluate.")
@click.option("--recs", default=None, help="Recommendations to evaluate [default: the lake's recommendations/<version>].")
@click.option("--baseline", default=None, help="Evaluated version to compare against.")
@click.option("--reports", default="/mnt/var/recspark/reports", show_default=True,
              help="Reports folder on the driver (GX stores and Data Docs).")
@click.option("--out", "out", default="-", show_default=True, help="Where to write the steps JSON (- for stdout).")
def emr_steps(emr_conf: str | None, dataset: str, profile: str, model_version: str, recs: str | None,
              baseline: str | None, reports: str, out: str) -> None:
    """Write the steps JSON for `aws emr add-steps --steps file://steps.json`: generate, evaluate, validate."""
    import json

    from recspark.emr import load_emr_config, pipeline_steps
    from recspark.models.contract import check_version
    from recspark.storage.lake import check_dataset_name

    check_dataset_name(dataset)
    check_version(model_version)
    emr = load_emr_config(emr_conf)
    steps = pipeline_steps(emr, dataset, profile=profile, version=model_version, recs=recs, baseline=baseline,
                           reports=reports)
    text = json.dumps(steps, indent=2) + "\n"
    if out == "-":
        click.echo(text, nl=False)
    else:
        with open(out, "w") as handle:
            handle.write(text)
        click.echo(f"{len(steps)} steps: {out}  (aws emr add-steps --cluster-id j-XXXX --steps file://{out})", err=True)


@cli.command("setup-jars")
@click.option("--dir", "folder", default=None, help="Target folder [default: $RECSPARK_JARS_DIR or ~/.cache/recspark/jars].")
@click.option("--extra", multiple=True, metavar="G:A:V", help="Another Maven coordinate to fetch (repeatable).")
@click.option("--s3", is_flag=True, help="Also hadoop-aws matching pyspark's Hadoop and its AWS SDK bundle (s3a:// lakes).")
def setup_jars(folder: str | None, extra: tuple[str, ...], s3: bool) -> None:
    """Fetch the Delta jars matching the installed pyspark and delta-spark with Maven (once)."""
    from pathlib import Path

    from recspark.session import fetch_jars, s3_coordinates

    wanted = (*extra, *(s3_coordinates() if s3 else ()))
    for jar in fetch_jars(Path(folder) if folder else None, wanted):
        click.echo(str(jar))


def format_summary(manifest: dict[str, Any], target: str, seconds: float) -> str:
    """The table printed after generation: rows and Delta version per table."""
    lines = [f"dataset {target}  (seed {manifest['seed']}, config {manifest['config_hash'][:12]}, {seconds:.1f}s)"]
    lines.append(f"  {'table':<14}{'rows':>14}  delta version")
    for name, entry in manifest["tables"].items():
        lines.append(f"  {name:<14}{entry['rows']:>14,}  {entry['version']:>6}")
    users = manifest["users"]
    lines.append("  user classes    " + "  ".join(f"{n}={c:,}" for n, c in zip(users["names"], users["counts"], strict=True)))
    products = manifest["products"]
    lines.append("  product classes " + "  ".join(f"{n}={c:,}" for n, c in zip(products["names"], products["counts"], strict=True)))
    return "\n".join(lines)


def format_checks(checks: Iterable[Any]) -> str:
    """A readable table of checks: name, observed, allowed range, verdict."""
    rows = [f"  {'result':<7}{'check':<36}{'observed':>26}  allowed"]
    for c in checks:
        allowed = f"{_num(c.lower)}" if c.lower == c.upper else f"[{_num(c.lower)}, {_num(c.upper)}]"
        rows.append(f"  {'ok' if c.passed else 'FAIL':<7}{c.name:<36}{_num(c.observed):>26}  {allowed}")
    return "\n".join(rows)


def _num(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.4f}"


def main(args: list[str] | None = None) -> None:
    """Console-script and spark-submit entry: ``args`` default to the command line."""
    cli(args=args, prog_name="recspark")


if __name__ == "__main__":
    main()

"""The staging gate: turn metrics and rule outcomes into a verdict a deployment can act on.

PASS (deploy, exit 0), WARN (worse than the baseline beyond the warn margin but within the
fail margin: needs review, exit 3), FAIL (don't deploy, exit 1).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from recspark.config import GateConfig
from recspark.evaluation.evaluate import Evaluation
from recspark.evaluation.metrics import OVERALL
from recspark.validation.gx import Outcome, Validator
from recspark.validation.rules import (
    AFFINITY_COLUMNS,
    SLICE,
    WARN,
    Rule,
    affinity_rules,
    comparison_column,
    comparison_rules,
    metric_column,
    recommendations_rules,
)

PASS, WARN_VERDICT, FAIL_VERDICT = "PASS", "WARN", "FAIL"
EXIT_CODES = {"PASS": 0, "WARN": 3, "FAIL": 1}


@dataclass(frozen=True)
class GateCheck:
    """One check in the verdict: what was observed against what threshold, by how much."""

    suite: str
    check: str
    observed: Any
    threshold: Any
    margin: float | None
    severity: str
    passed: bool

    @property
    def status(self) -> str:
        if self.passed:
            return PASS
        return "WARN" if self.severity == WARN else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        return {"suite": self.suite, "check": self.check, "observed": _plain(self.observed),
                "threshold": _plain(self.threshold), "margin": self.margin, "severity": self.severity,
                "status": self.status}


@dataclass
class Verdict:
    verdict: str
    subject: str
    checks: list[GateCheck]
    data_docs: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    decided_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "subject": self.subject, "decided_at": self.decided_at,
                "data_docs": self.data_docs, "checks": [c.as_dict() for c in self.checks], **self.details}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def decide(checks: Sequence[GateCheck]) -> str:
    statuses = {c.status for c in checks}
    if "FAIL" in statuses:
        return "FAIL"
    if "WARN" in statuses:
        return "WARN"
    return PASS


def to_checks(
    outcomes: Sequence[Outcome],
    observed: dict[str, Any] | None = None,
    keyed: dict[str, dict[str, Any]] | None = None,
) -> list[GateCheck]:
    """Rule outcomes as verdict checks; observed values come from our own rows where we have them.

    A rule over a keyed table (one row per slice) becomes one check per key, failed where GX
    listed the key among the unexpected rows.
    """
    checks = []
    for outcome in outcomes:
        rule = outcome.rule
        if rule.index_column and keyed is not None:
            if not outcome.success and not outcome.failed_keys:
                raise RuntimeError(f"GX failed {rule.check} without naming the failing {rule.index_column}")
            for key, row in keyed.items():
                value = row.get(str(rule.column))
                base = rule.check.removesuffix(" computed")
                name = f"{base} {key} computed" if base != rule.check else f"{rule.check} {key}"
                checks.append(GateCheck(outcome.suite, name, value, _threshold(rule), _margin(rule, value),
                                        rule.severity, key not in outcome.failed_keys))
            continue
        value = observed.get(rule.column) if observed is not None and rule.column in observed else outcome.observed
        checks.append(
            GateCheck(outcome.suite, rule.check, value, _threshold(rule), _margin(rule, value), rule.severity, outcome.success)
        )
    return checks


def _threshold(rule: Rule) -> Any:
    if rule.kind == "not_null":
        return "not null"
    if rule.kind == "between" and rule.min_value is not None and rule.max_value is not None:
        return [rule.min_value, rule.max_value]
    if rule.kind == "between":
        return f"{'>' if rule.strict else '>='} {rule.min_value}" if rule.min_value is not None else f"<= {rule.max_value}"
    if rule.kind in ("in_set", "columns"):
        return list(rule.values)
    if rule.kind == "pair_ge":
        return f"{rule.column} >= {rule.values[0]}"
    if rule.kind == "row_count":
        return [rule.min_value, rule.max_value]
    return rule.kind


def _margin(rule: Rule, value: Any) -> float | None:
    if rule.kind != "between" or not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if rule.min_value is not None and isinstance(rule.min_value, int | float) and rule.max_value is None:
        return round(float(value) - float(rule.min_value), 6)
    if rule.max_value is not None and isinstance(rule.max_value, int | float) and rule.min_value is None:
        return round(float(rule.max_value) - float(value), 6)
    return None


def one_row(values: dict[str, Any]) -> pd.DataFrame:
    """A one-row table of doubles (missing values as NaN): what GX validates instead of raw rows."""
    return pd.DataFrame([{k: np.nan if v is None else float(v) for k, v in values.items()}], columns=list(values),
                        dtype="float64")


def slice_metrics(evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    """slice -> {metric: value} for the affinity columns, user classes first, then 'all'."""
    slices: dict[str, dict[str, Any]] = {}
    for m in evaluation.metrics:
        if m.name in AFFINITY_COLUMNS:
            slices.setdefault(m.slice, {})[m.name] = m.value
    overall = slices.pop(OVERALL, {})
    return {**dict(sorted(slices.items())), OVERALL: overall}


def slice_frame(slices: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The affinity metrics as a small table, one row per slice, for GX."""
    rows = [{SLICE: key, **{c: np.nan if v.get(c) is None else float(v[c]) for c in AFFINITY_COLUMNS}}
            for key, v in slices.items()]
    frame = pd.DataFrame(rows, columns=[SLICE, *AFFINITY_COLUMNS])
    return frame.astype({c: "float64" for c in AFFINITY_COLUMNS})


def wide_metrics(evaluation: Evaluation) -> dict[str, Any]:
    """Every metric of an evaluation as ``metric__slice`` -> value, plus input row counts."""
    row: dict[str, Any] = {metric_column(m.name, m.slice): m.value for m in evaluation.metrics}
    if evaluation.counts:
        row["rows_in_k"] = evaluation.counts["rows"] - evaluation.counts.get("rows_past_k", 0)
        row["min_rank"] = evaluation.counts.get("min_rank", 1)
    return row


def comparison_values(candidate: Evaluation, baseline: Evaluation, metrics: Sequence[str], z: float) -> dict[str, Any]:
    """Lower confidence bound of (candidate - baseline) per metric; None if either is missing."""
    row: dict[str, Any] = {}
    for metric in metrics:
        c, b = candidate.value(metric, OVERALL), baseline.value(metric, OVERALL)
        if c.value is None or b.value is None:
            row[comparison_column(metric)] = None
            continue
        se_c = _se(c.value, c.lower, z)
        se_b = _se(b.value, b.lower, z)
        row[comparison_column(metric)] = (c.value - b.value) - z * math.sqrt(se_c**2 + se_b**2)
    return row


def _se(value: float, lower: float | None, z: float) -> float:
    return 0.0 if lower is None or z <= 0 else max(0.0, (value - lower) / z)


def gate_evaluation(
    spark: SparkSession,
    validator: Validator,
    evaluation: Evaluation,
    gate: GateConfig,
    baseline: Evaluation | None = None,
    *,
    with_floors: bool = True,
) -> Verdict:
    """Run the recommendations, affinity and (with a baseline) comparison suites; decide."""
    batches: list[tuple[str, DataFrame, list[Rule]]] = []
    observed: dict[str, Any] = {}
    slices = slice_metrics(evaluation)
    if with_floors:
        values = wide_metrics(evaluation)
        observed.update(values)
        batches.append(("recommendations", one_row(values), recommendations_rules(gate)))
        batches.append(("affinity", slice_frame(slices), affinity_rules(gate)))
    details: dict[str, Any] = {
        "kind": "model",
        "model_version": evaluation.version,
        "k": evaluation.k,
        "metrics": {m.name: m.value for m in evaluation.metrics if m.slice == OVERALL},
        "intervals": {m.name: {"value": m.value, "lower": m.lower, "upper": m.upper, "n": m.n}
                      for m in evaluation.metrics if m.slice == OVERALL},
        "class_shares": {"users": list(evaluation.class_names[0]), "products": list(evaluation.class_names[1]),
                         "shares": evaluation.class_shares},
    }
    if baseline is not None:
        values = comparison_values(evaluation, baseline, gate.comparison.metrics, gate.z)
        observed.update(values)
        batches.append(("comparison", one_row(values), comparison_rules(gate)))
        details["baseline"] = baseline.version
    outcomes = validator.run(f"{evaluation.version}", batches, observed_outside=True)
    checks = to_checks(outcomes, observed, slices)
    details["counts"] = evaluation.counts
    details["stored_versions"] = evaluation.tables
    details["inputs"] = evaluation.inputs
    return Verdict(decide(checks), evaluation.version, checks, validator.docs_index, details)


VERDICTS = "verdicts"


def write_verdict(path: str, verdict: Verdict) -> str:
    """Write verdict.json; a temp file and rename keep it whole."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    tmp = f"{path}.tmp"
    with open(tmp, "w") as handle:
        json.dump(verdict.as_dict(), handle, indent=2, default=str)
        handle.write("\n")
    os.replace(tmp, path)
    return path


def keep_verdict(reports: str, verdict: Verdict) -> str:
    """Keep the latest verdict of each subject in ``<reports>/verdicts/`` for the HTML report."""
    kind = verdict.details.get("kind", "model")
    name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in verdict.subject)
    return write_verdict(os.path.join(reports, VERDICTS, f"{kind}-{name}.json"), verdict)


def format_verdict(verdict: Verdict) -> str:
    """A readable table of the checks, failures first, then the verdict line."""
    order = {"FAIL": 0, "WARN": 1, PASS: 2}
    rows = [f"  {'status':<7}{'suite':<16}{'check':<44}{'observed':>14}  {'threshold':<16}margin"]
    for c in sorted(verdict.checks, key=lambda c: order[c.status]):
        observed = _fmt(c.observed)
        margin = "" if c.margin is None else f"{c.margin:+.4f}"
        threshold = c.threshold if isinstance(c.threshold, str) else json.dumps(_plain(c.threshold), default=str)
        rows.append(f"  {c.status:<7}{c.suite:<16}{c.check:<44}{observed:>14}  {str(threshold)[:16]:<16}{margin}")
    failed = [c for c in verdict.checks if c.status != PASS]
    reason = f" ({failed[0].check})" if failed else ""
    rows.append(f"verdict {verdict.subject}: {verdict.verdict}{reason}")
    rows.append(f"data docs: {verdict.data_docs}")
    return "\n".join(rows)


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)[:14]


def gate_data(spark: SparkSession, validator: Validator, lake: str, dataset: str) -> Verdict:
    """The data suite on the generated tables: the generator's self-check as expectations."""
    from recspark import columns as C
    from recspark.checks.data_check import class_mix_counts, mix_cells
    from recspark.storage.manifest import manifest_table, read_manifest
    from recspark.validation.rules import data_rules

    manifest = read_manifest(spark, lake, dataset)
    tables = {name: manifest_table(spark, manifest, name) for name in manifest["tables"]}
    rules = data_rules(manifest, {name: [f.name for f in C.SCHEMAS[name]] for name in C.TABLES})
    z = float(manifest["config"]["check"]["z"])
    _, cells = mix_cells(class_mix_counts(tables[C.INTERACTIONS], tables[C.LABELS]).collect(), manifest, z)
    mix_rows = [(c.user_class, c.product_class, c.observed, c.lower, c.upper) for c in cells]
    mix = spark.createDataFrame(mix_rows, "user_class string, product_class string, observed double, lower double, upper double")
    batches = [(f"data-{name}", tables[name], rules[name]) for name in C.TABLES]
    batches.append(("data-mix", mix, rules["mix"]))
    outcomes = validator.run(dataset, batches)
    checks = to_checks(outcomes)
    return Verdict(decide(checks), dataset, checks, validator.docs_index,
                   {"kind": "data", "dataset": dataset,
                    "tables": {n: e["version"] for n, e in manifest["tables"].items()}})

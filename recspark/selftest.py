"""A test of the test: the gate must pass the baseline and stop its degraded versions.

A case is a version derived from the baseline (a retrain with another seed, or a mutant)
and the verdict the gate should give it against the baseline. ``recspark selftest`` runs
all of them; ``recspark demo`` runs the V1-V4 story with the same machinery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import SparkSession

from recspark.config import GateConfig, ModelConfig
from recspark.evaluation.evaluate import Evaluation, evaluate
from recspark.gate import FAIL_VERDICT, PASS, WARN_VERDICT, Verdict, gate_evaluation, keep_verdict
from recspark.models.contract import recommendations_path
from recspark.models.runs import mutate, train_baseline
from recspark.storage import lake as storage
from recspark.validation.gx import Validator

log = logging.getLogger(__name__)

BASELINE = "baseline"
RETRAIN = "retrain"


@dataclass(frozen=True)
class Case:
    """One version to derive from the baseline and the verdict expected for it."""

    name: str
    version: str
    kind: str  # baseline, retrain, or a mutant kind
    expected: str
    share: float | None = None


@dataclass(frozen=True)
class CaseResult:
    case: Case
    verdict: Verdict
    seconds: float

    @property
    def as_expected(self) -> bool:
        return self.verdict.verdict == self.case.expected

    @property
    def reason(self) -> str:
        failing = [c for c in self.verdict.checks if c.status != PASS]
        if not failing:
            return ""
        first = failing[0]
        return f"{first.check} = {_short(first.observed)} (+{len(failing) - 1} more)" if len(failing) > 1 else \
            f"{first.check} = {_short(first.observed)}"


def selftest_cases(baseline: str, prefix: str = "selftest-") -> list[Case]:
    """The built-in cases and their expected verdicts."""
    return [
        Case("baseline against itself", baseline, BASELINE, PASS),
        Case("retrain with another seed", f"{prefix}retrain", RETRAIN, PASS),
        Case("noise (V2: slightly worse)", f"{prefix}noise", "noise", WARN_VERDICT),
        Case("random lists (V3)", f"{prefix}random", "random", FAIL_VERDICT),
        Case("shuffled lists (V3)", f"{prefix}shuffle", "shuffle", FAIL_VERDICT),
        Case("all filtered out (V4)", f"{prefix}empty", "empty", FAIL_VERDICT),
        Case("popularity only", f"{prefix}popularity", "popularity", FAIL_VERDICT),
    ]


def demo_cases() -> list[Case]:
    """The staging story: V1 original, V2 slightly worse, V3 very poor, V4 all filtered out."""
    return [
        Case("V1 original (ALS)", "V1", BASELINE, PASS),
        Case("V2 slightly worse (noise)", "V2", "noise", WARN_VERDICT),
        Case("V3 very poor (random)", "V3", "random", FAIL_VERDICT),
        Case("V4 all filtered out", "V4", "empty", FAIL_VERDICT),
    ]


def run_cases(
    spark: SparkSession,
    lake: str,
    dataset: str,
    cases: Sequence[Case],
    *,
    model: ModelConfig,
    gate: GateConfig,
    validator: Validator,
    reports: str,
    train: bool = False,
) -> list[CaseResult]:
    """Derive each case's version from the baseline case, gate it against the baseline, keep the verdicts.

    The baseline's recommendations are trained first when ``train`` is set or when none are stored.
    """
    base_case = next(c for c in cases if c.kind == BASELINE)
    base_path = recommendations_path(lake, dataset, base_case.version)
    if train or not storage.is_table(spark, base_path):
        train_baseline(spark, lake, dataset, base_case.version, model)
    for case in cases:
        if case.kind == RETRAIN:
            train_baseline(spark, lake, dataset, case.version, model, seed=model.seed + 1)
        elif case.kind != BASELINE:
            mutate(spark, lake, dataset, source=base_case.version, kind=case.kind, target=case.version,
                   model=model, share=case.share)
    results = []
    baseline: Evaluation | None = None
    for case in [base_case, *[c for c in cases if c is not base_case]]:
        started = time.perf_counter()
        path = recommendations_path(lake, dataset, case.version)
        evaluation = evaluate(spark, lake, dataset, path, case.version, gate, fmt="delta")
        if baseline is None:
            baseline = evaluation
        verdict = gate_evaluation(spark, validator, evaluation, gate, baseline)
        keep_verdict(reports, verdict)
        result = CaseResult(case, verdict, time.perf_counter() - started)
        log.info("%s %s: %s (expected %s)", case.name, case.version, verdict.verdict, case.expected)
        results.append(result)
    order = {c.version: i for i, c in enumerate(cases)}
    return sorted(results, key=lambda r: order[r.case.version])


def format_results(results: Sequence[CaseResult]) -> str:
    rows = [f"  {'case':<28}{'version':<22}{'expected':<10}{'verdict':<9}{'':<4}reason"]
    for r in results:
        mark = "ok" if r.as_expected else "!!"
        rows.append(f"  {r.case.name:<28}{r.case.version:<22}{r.case.expected:<10}{r.verdict.verdict:<9}{mark:<4}{r.reason}")
    return "\n".join(rows)


def mutation_score(results: Sequence[CaseResult]) -> tuple[int, int]:
    """(mutants the gate caught with a non-PASS verdict, mutants)."""
    mutants = [r for r in results if r.case.kind not in (BASELINE, RETRAIN)]
    return sum(1 for r in mutants if r.verdict.verdict != PASS), len(mutants)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)

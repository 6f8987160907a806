"""Great Expectations (GX Core 1.x) behind one small interface.

Suites are built from :class:`Rule` data, validated through a checkpoint on DataFrames of the
session recspark already has (GX's Spark data source reuses the active session and is given
no Spark config, so it never creates, configures or restarts one), stored in a file context
under the dataset's reports folder, and published as Data Docs there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame

from recspark.validation.rules import Rule

log = logging.getLogger(__name__)

SITE = "recspark"
DATASOURCE = "recspark"
METRICS_DATASOURCE = "recspark-metrics"


@dataclass(frozen=True)
class Outcome:
    """A rule and whether GX found it met, with GX's observed value where it reports one."""

    rule: Rule
    suite: str
    success: bool
    observed: Any
    failed_keys: frozenset[str] = frozenset()


def _expectation(rule: Rule) -> Any:
    import great_expectations.expectations as gxe

    meta = {"check": rule.check, "severity": rule.severity, **rule.meta}
    column = str(rule.column)
    if rule.kind == "between":
        return gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=rule.min_value, max_value=rule.max_value,
            strict_min=rule.strict, meta=meta,
        )
    if rule.kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=column, meta=meta)
    if rule.kind == "unique":
        return gxe.ExpectColumnValuesToBeUnique(column=column, meta=meta)
    if rule.kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(rule.values), meta=meta)
    if rule.kind == "columns":
        return gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(rule.values), meta=meta)
    if rule.kind == "row_count":
        return gxe.ExpectTableRowCountToBeBetween(min_value=rule.min_value, max_value=rule.max_value, meta=meta)
    if rule.kind == "pair_ge":
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=column, column_B=rule.values[0], or_equal=True, meta=meta
        )
    raise ValueError(f"unknown rule kind {rule.kind!r}")


class Validator:
    """A GX file context rooted in ``reports`` with a Data Docs site in ``reports/data_docs``."""

    def __init__(self, reports: str) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.reports = Path(reports)
        self.reports.mkdir(parents=True, exist_ok=True)
        self._gx = gx
        self.context = gx.get_context(mode="file", project_root_dir=str(self.reports))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.context.variables.save()
        sites = self.context.variables.data_docs_sites or {}
        for name in list(sites):
            if name != SITE:
                self.context.delete_data_docs_site(name)
        if SITE not in (self.context.variables.data_docs_sites or {}):
            self.context.add_data_docs_site(
                site_name=SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(self.docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        self.datasource = self.context.data_sources.add_or_update_spark(name=DATASOURCE, persist=False)
        # Metric tables are a few rows: GX's pandas engine validates them in milliseconds, where
        # each expectation on a Spark frame costs several Spark jobs.
        self.metrics_source = self.context.data_sources.add_or_update_pandas(name=METRICS_DATASOURCE)

    @property
    def docs_dir(self) -> Path:
        return self.reports / "data_docs"

    @property
    def docs_index(self) -> str:
        return str(self.docs_dir / "index.html")

    def run(
        self, name: str, batches: Sequence[tuple[str, Any, Sequence[Rule]]], *, observed_outside: bool = False
    ) -> list[Outcome]:
        """Validate each (suite, DataFrame, rules); suites on the same DataFrame share one checkpoint.

        Data Docs are rebuilt once, by the last checkpoint. With ``observed_outside`` the caller
        holds the observed values itself, so GX is asked only for success (BOOLEAN_ONLY: one
        Spark query per expectation instead of several) except where it must name failing keys.
        """
        from great_expectations.checkpoint import UpdateDataDocsAction

        groups: list[tuple[DataFrame, list[tuple[str, Sequence[Rule]]]]] = []
        for suite_name, df, rules in batches:
            if groups and groups[-1][0] is df:
                groups[-1][1].append((suite_name, rules))
            else:
                groups.append((df, [(suite_name, rules)]))
        outcomes: list[Outcome] = []
        for index, (df, suites) in enumerate(groups):
            asset_name = f"{name}-{suites[0][0]}"
            spark_frame = isinstance(df, DataFrame)
            batch = self._batch_definition(self.datasource if spark_frame else self.metrics_source, asset_name)
            definitions = []
            for suite_name, rules in suites:
                suite = self._gx.ExpectationSuite(name=suite_name)
                for rule in rules:
                    suite.add_expectation(_expectation(rule))
                suite = self.context.suites.add_or_update(suite)
                definitions.append(self._definition(f"{name}-{suite_name}", batch, suite))
            last = index == len(groups) - 1
            keys = sorted({r.index_column for _, rules in suites for r in rules if r.index_column})
            result_format: dict[str, Any] = {"result_format": "BOOLEAN_ONLY" if observed_outside else "SUMMARY"}
            if keys:
                result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": keys}
            checkpoint = self.context.checkpoints.add_or_update(
                self._gx.Checkpoint(
                    name=asset_name,
                    validation_definitions=definitions,
                    actions=[UpdateDataDocsAction(name="data_docs", site_names=[SITE])] if last else [],
                    result_format=result_format,
                )
            )
            result = checkpoint.run(batch_parameters={"dataframe": df})
            if spark_frame:
                df.unpersist()
            for run_id, run in result.run_results.items():
                suite_name = run.suite_name if hasattr(run, "suite_name") else str(run_id)
                rules = dict(suites).get(suite_name, [])
                by_check = {(r.check, r.kind): r for r in rules}
                for item in run.results:
                    config = item.expectation_config
                    if config is None:
                        continue
                    meta = config.meta or {}
                    found = by_check.get((str(meta.get("check")), _kind_of(config.type)))
                    if found is None:
                        continue
                    details = item.result or {}
                    observed = details.get("observed_value")
                    if observed is None:
                        observed = details.get("unexpected_count")
                    failed: frozenset[str] = frozenset()
                    if found.index_column:
                        failed = frozenset(
                            str(row.get(found.index_column)) for row in details.get("unexpected_index_list") or []
                        )
                    outcomes.append(Outcome(found, suite_name, bool(item.success), observed, failed))
            for suite_name, rules in suites:
                got = sum(1 for o in outcomes if o.suite == suite_name)
                if got != len(rules):
                    raise RuntimeError(f"GX returned {got} results for the {len(rules)} rules of suite {suite_name}")
        return outcomes

    def _definition(self, name: str, batch: Any, suite: Any) -> Any:
        """Add or replace a validation definition; one stored by an older recspark (pointing at
        an asset that no longer exists) is dropped and recreated instead of failing the run."""
        store = self.context.validation_definitions
        definition = self._gx.ValidationDefinition(name=name, data=batch, suite=suite)
        try:
            return store.add_or_update(definition)
        except Exception:  # GX raises pydantic errors for a stale stored definition
            log.info("replacing the stored validation definition %s", name)
            backend = store._store  # the factory has no delete-by-name that skips loading the stale entry
            backend.remove_key(backend.get_key(name=name))
            return store.add(self._gx.ValidationDefinition(name=name, data=batch, suite=suite))

    @staticmethod
    def _batch_definition(source: Any, asset_name: str) -> Any:
        try:
            asset = source.get_asset(asset_name)
        except LookupError:
            asset = source.add_dataframe_asset(name=asset_name)
        try:
            return asset.get_batch_definition("whole")
        except (KeyError, LookupError, ValueError):
            return asset.add_batch_definition_whole_dataframe("whole")


_KINDS = {
    "expect_column_values_to_be_between": "between",
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_column_values_to_be_in_set": "in_set",
    "expect_table_columns_to_match_ordered_list": "columns",
    "expect_table_row_count_to_be_between": "row_count",
    "expect_column_pair_values_a_to_be_greater_than_b": "pair_ge",
}


def _kind_of(expectation_type: str) -> str:
    return _KINDS.get(expectation_type, expectation_type)

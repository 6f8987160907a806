"""Expectation rules as plain data, built from the gate thresholds; GX runs them (validation.gx).

A rule names one check, the column of a small metrics table it reads, the bounds it
demands, and its severity: a broken 'fail' rule stops a deployment, a broken 'warn' rule
asks for review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from recspark.config import GateConfig

FAIL, WARN = "fail", "warn"


@dataclass(frozen=True)
class Rule:
    """One expectation: ``kind`` is between, not_null, unique, in_set, columns, row_count, or
    pair_ge (``column`` >= the column named in ``values``)."""

    check: str
    kind: str
    column: str | None = None
    min_value: Any = None
    max_value: Any = None
    values: tuple[Any, ...] = ()
    severity: str = FAIL
    strict: bool = False
    index_column: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> Any:
        return self.min_value if self.min_value is not None else self.max_value


def metric_column(metric: str, slice_: str) -> str:
    """Column of a wide one-row metrics table: ``normalized_affinity__U0``."""
    return f"{metric}__{slice_}"


def _floor(check: str, column: str, floor: float, index: str | None = None) -> list[Rule]:
    # A null is a ratio over an empty set: the not-null rule makes sure it never passes.
    return [
        Rule(f"{check} computed", "not_null", column, index_column=index),
        Rule(check, "between", column, min_value=floor, index_column=index),
    ]


def _ceiling(check: str, column: str, ceiling: float, index: str | None = None) -> list[Rule]:
    return [
        Rule(f"{check} computed", "not_null", column, index_column=index),
        Rule(check, "between", column, max_value=ceiling, index_column=index),
    ]


def recommendations_rules(gate: GateConfig) -> list[Rule]:
    """Is the output there, complete, well formed and about the synthetic catalog?"""
    floors = gate.recommendations
    return [
        Rule("recommendations within k", "between", "rows_in_k", min_value=1),
        Rule("user coverage", "between", metric_column("user_coverage", "all"), min_value=floors.min_user_coverage),
        Rule("ranks from 1", "between", "min_rank", min_value=1),
        *_floor("fill rate", metric_column("fill_rate", "all"), floors.min_fill_rate),
        *_ceiling("unknown product rate", metric_column("unknown_product_rate", "all"), floors.max_unknown_product_rate),
        *_ceiling("duplicate rate", metric_column("duplicate_rate", "all"), floors.max_duplicate_rate),
    ]


SLICE = "slice"
AFFINITY_COLUMNS = ("top_class_share", "normalized_affinity", "ndcg", "class_order_tau", "disliked_share", "coherence")


def affinity_rules(gate: GateConfig) -> list[Rule]:
    """Floors on the affinity metrics, over a table with one row per user class and 'all'.

    One expectation per metric covers every slice; GX names the failing slices.
    """
    floors = gate.affinity
    return [
        *_floor("top-class share", "top_class_share", floors.min_top_class_share, SLICE),
        *_floor("normalized affinity", "normalized_affinity", floors.min_normalized_affinity, SLICE),
        *_floor("ndcg", "ndcg", floors.min_ndcg, SLICE),
        *_floor("class order tau", "class_order_tau", floors.min_class_order_tau, SLICE),
        *_ceiling("disliked share", "disliked_share", floors.max_disliked_share, SLICE),
        # Jaccard overlaps shrink with the catalog (a perfect ranker spreading its lists over
        # 100k favourite-class products overlaps by ~k/100k), so the default floor of 0 only
        # catches lists that overlap more across classes than within them.
        *_floor("coherence", "coherence", floors.min_coherence, SLICE),
    ]


def comparison_column(metric: str) -> str:
    return f"delta_lower__{metric}"


def comparison_rules(gate: GateConfig) -> list[Rule]:
    """Non-inferiority: the lower bound of (candidate - baseline) must stay above -margin."""
    margins = gate.comparison
    rules: list[Rule] = []
    for metric in margins.metrics:
        column = comparison_column(metric)
        if margins.warn_margin < margins.fail_margin:  # equal margins: one rule (GX would merge the twins)
            rules.append(Rule(f"{metric} vs baseline (warn margin)", "between", column, min_value=-margins.warn_margin,
                              severity=WARN))
        rules.append(Rule(f"{metric} vs baseline (fail margin)", "between", column, min_value=-margins.fail_margin, severity=FAIL))
        rules.append(Rule(f"{metric} vs baseline computed", "not_null", column))
    return rules


def data_rules(manifest: dict[str, Any], schemas: dict[str, list[str]]) -> dict[str, list[Rule]]:
    """The generator's self-check as expectations, per table (and 'mix' for the class-mix cells)."""
    window = manifest["event_window"]
    start = dt.datetime.fromisoformat(window["start"]).replace(tzinfo=None)
    end = dt.datetime.fromisoformat(window["end"]).replace(tzinfo=None) - dt.timedelta(microseconds=1)
    users_lo, users_hi = manifest["users"]["id_range"]
    products_lo, products_hi = manifest["products"]["id_range"]
    events_lo, events_hi = manifest["event_id_range"]
    rules: dict[str, list[Rule]] = {}
    for table, columns in schemas.items():
        rules[table] = [
            Rule(f"{table} schema", "columns", values=tuple(columns)),
            Rule(f"{table} rows", "row_count", min_value=manifest["sizes"][table], max_value=manifest["sizes"][table]),
        ]
    rules["users"] += [
        Rule("users.user_id not null", "not_null", "user_id"),
        Rule("users.user_id in range", "between", "user_id", min_value=users_lo, max_value=users_hi - 1),
        Rule("users.user_id unique", "unique", "user_id"),
    ]
    rules["products"] += [
        Rule("products.product_id not null", "not_null", "product_id"),
        Rule("products.product_id in range", "between", "product_id", min_value=products_lo, max_value=products_hi - 1),
        Rule("products.product_id unique", "unique", "product_id"),
    ]
    rules["interactions"] += [
        Rule("interactions.event_id not null", "not_null", "event_id"),
        Rule("interactions.user_id not null", "not_null", "user_id"),
        Rule("interactions.product_id not null", "not_null", "product_id"),
        Rule("interactions.event_id in range", "between", "event_id", min_value=events_lo, max_value=events_hi - 1),
        Rule("interactions.user_id in range", "between", "user_id", min_value=users_lo, max_value=users_hi - 1),
        Rule("interactions.product_id in range", "between", "product_id", min_value=products_lo, max_value=products_hi - 1),
        Rule("interactions.event_type in vocabulary", "in_set", "event_type", values=tuple(manifest["event_types"])),
        Rule("interactions.event_ts in window", "between", "event_ts", min_value=start, max_value=end),
    ]
    rules["labels"] += [
        Rule("labels.entity in vocabulary", "in_set", "entity", values=("user", "product")),
        Rule("labels.class_name in vocabulary", "in_set", "class_name",
             values=(*manifest["users"]["names"], *manifest["products"]["names"])),
    ]
    rules["mix"] = [
        Rule("planted class mix above lower bound", "pair_ge", "observed", values=("lower",)),
        Rule("planted class mix below upper bound", "pair_ge", "upper", values=("observed",)),
    ]
    return rules

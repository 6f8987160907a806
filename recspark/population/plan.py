"""The plan: every small number the generator derives from a config, computed once, in Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from recspark.config import (
    EVENT_TYPES,
    GeneratorConfig,
    draw_bits,
    event_id_bits,
    id_bits,
)
from recspark.population.classes import (
    activity_scale,
    class_counts,
    class_names,
    class_starts,
    expected_activity,
    expected_mix,
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SidePlan:
    """Users or products: sizes, class blocks and the id range."""

    count: int
    shares: tuple[float, ...]
    counts: tuple[int, ...]
    starts: tuple[int, ...]
    names: tuple[str, ...]
    id_base: int
    id_bits: int

    @property
    def id_end(self) -> int:
        """One past the last id of the reserved range."""
        return self.id_base + (1 << self.id_bits)


@dataclass(frozen=True)
class Plan:
    """What the generator will plant, derived from one validated config."""

    seed: int
    users: SidePlan
    products: SidePlan
    affinity: tuple[tuple[float, ...], ...]
    mix: tuple[tuple[float, ...], ...]
    noise_share: float
    activity_scale: float
    activity_tail: float
    max_per_user: int
    mean_per_user: float
    popularity_exponent: float
    event_types: tuple[str, ...]
    event_mix: tuple[float, ...]
    start_epoch_s: int
    window_s: int
    event_id_base: int
    event_id_bits: int
    draw_bits: int

    @property
    def expected_events(self) -> float:
        return self.users.count * self.mean_per_user

    @property
    def end_epoch_s(self) -> int:
        return self.start_epoch_s + self.window_s


def _side(prefix: str, count: int, shares: tuple[float, ...], id_base: int) -> SidePlan:
    counts = class_counts(count, shares)
    return SidePlan(
        count=count,
        shares=shares,
        counts=counts,
        starts=class_starts(counts),
        names=class_names(prefix, len(shares)),
        id_base=id_base,
        id_bits=id_bits(count),
    )


def make_plan(config: GeneratorConfig) -> Plan:
    """Derive the plan; pure and cheap, so the CLI can show it before Spark starts."""
    interactions = config.interactions
    users = _side("U", config.users.count, config.users.shares(), config.users.id_base)
    products = _side("P", config.products.count, config.products.shares(), config.products.id_base)
    affinity = config.affinity_matrix()
    mix = expected_mix(affinity, products.shares, interactions.noise_share)
    scale = activity_scale(interactions.mean_per_user, interactions.activity_tail, interactions.max_per_user)
    start = dt.datetime.combine(interactions.start, dt.time(), tzinfo=dt.UTC)
    return Plan(
        seed=config.seed,
        users=users,
        products=products,
        affinity=affinity,
        mix=tuple(tuple(float(v) for v in row) for row in mix),
        noise_share=interactions.noise_share,
        activity_scale=scale,
        activity_tail=interactions.activity_tail,
        max_per_user=interactions.max_per_user,
        mean_per_user=expected_activity(scale, interactions.activity_tail, interactions.max_per_user),
        popularity_exponent=interactions.popularity_exponent,
        event_types=EVENT_TYPES,
        event_mix=tuple(interactions.event_mix.get(e, 0.0) for e in EVENT_TYPES),
        start_epoch_s=int((start - _EPOCH).total_seconds()),
        window_s=interactions.days * 86_400,
        event_id_base=interactions.id_base,
        event_id_bits=event_id_bits(config.users.count, interactions.max_per_user),
        draw_bits=draw_bits(interactions.max_per_user),
    )

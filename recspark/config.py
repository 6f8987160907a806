"""Generator configuration: parsed once at the edge into frozen, validated objects.

A profile is a YAML file whose keys mirror the dataclasses below; anything a profile leaves
out takes the default written here. ``--set key=value`` overrides one dotted key, its value
read as YAML (``--set users.count=1000``, ``--set affinity.matrix=[[0.9,0.1],[0.1,0.9]]``).
Unknown keys, wrong types and out-of-range values raise :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recspark.errors import ConfigError

EVENT_TYPES = ("like", "save", "comment", "message", "purchase")
DEFAULT_AFFINITY_ROW = (0.95, 0.50, 0.15, 0.05, 0.01)
MAX_ID = 2**63 - 1
PROFILES = ("local", "staging", "production")


@dataclass(frozen=True)
class PopulationConfig:
    """One side of the population: users or products."""

    count: int
    classes: int = 5
    class_shares: tuple[float, ...] | None = None
    id_base: int = 0

    def shares(self) -> tuple[float, ...]:
        """Class size shares, equal unless configured."""
        if self.class_shares is None:
            return tuple(1.0 / self.classes for _ in range(self.classes))
        return self.class_shares


@dataclass(frozen=True)
class AffinityConfig:
    """The planted preference matrix, given whole or as one row rotated per user class."""

    row: tuple[float, ...] = DEFAULT_AFFINITY_ROW
    matrix: tuple[tuple[float, ...], ...] | None = None


@dataclass(frozen=True)
class InteractionConfig:
    """How many events each user makes, on which products, of which type, and when."""

    mean_per_user: float = 15.0
    max_per_user: int = 2000
    activity_tail: float = 2.0
    popularity_exponent: float = 1.0
    noise_share: float = 0.02
    event_mix: Mapping[str, float] = field(
        default_factory=lambda: {
            "like": 0.50,
            "save": 0.20,
            "comment": 0.12,
            "message": 0.10,
            "purchase": 0.08,
        }
    )
    start: dt.date = dt.date(2026, 1, 1)
    days: int = 28
    id_base: int = 0


@dataclass(frozen=True)
class CheckConfig:
    """Thresholds of the generator's self-check."""

    z: float = 4.5


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything that decides a generated dataset's contents, plus how to split the work."""

    seed: int = 42
    users: PopulationConfig = PopulationConfig(count=20_000, id_base=7_100_000_000_000_000)
    products: PopulationConfig = PopulationConfig(count=5_000, id_base=7_200_000_000_000_000)
    affinity: AffinityConfig = AffinityConfig()
    interactions: InteractionConfig = InteractionConfig(id_base=7_300_000_000_000_000)
    check: CheckConfig = CheckConfig()
    partitions: int | None = None

    def affinity_matrix(self) -> tuple[tuple[float, ...], ...]:
        """A[i][j]: probability that a user of class Ui interacts with a shown Pj product."""
        if self.affinity.matrix is not None:
            return self.affinity.matrix
        row = self.affinity.row
        m = len(row)
        return tuple(tuple(row[(j - i) % m] for j in range(m)) for i in range(self.users.classes))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, as written to the manifest."""
        return _jsonable(dataclasses.asdict(self))

    def content_hash(self) -> str:
        """Hash of every setting that decides table contents (not the partition count)."""
        content = self.to_dict()
        content.pop("partitions")
        content.pop("check")
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def conf_dir() -> Path:
    """Folder of the shipped profiles: $RECSPARK_CONF_DIR, else conf/ beside the package."""
    env = os.environ.get("RECSPARK_CONF_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "conf"


def resolve_profile(profile: str) -> Path:
    """A profile name (local, staging, production) or a path to a YAML file."""
    if profile in PROFILES or ("/" not in profile and not profile.endswith((".yaml", ".yml"))):
        path = conf_dir() / f"{profile}.yaml"
    else:
        path = Path(profile)
    if not path.is_file():
        raise ConfigError(
            "--profile", f"one of {', '.join(PROFILES)} or a path to a YAML file", profile
        )
    return path


def load_config(
    profile: str | None = None,
    overrides: Iterable[str] = (),
    seed: int | None = None,
) -> GeneratorConfig:
    """Read a profile, apply ``key=value`` overrides and the seed, validate, and freeze."""
    data: dict[str, Any] = {}
    if profile is not None:
        path = resolve_profile(profile)
        try:
            loaded = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise ConfigError(str(path), "valid YAML", str(exc).splitlines()[0]) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(str(path), "a mapping of settings", type(loaded).__name__)
        data = loaded or {}
    for item in overrides:
        _apply_override(data, item)
    if seed is not None:
        data["seed"] = seed
    return parse_config(data)


def _apply_override(data: dict[str, Any], item: str) -> None:
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError("--set", "key=value, e.g. users.count=1000", item)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise ConfigError(key, "a YAML value", raw) from None
    node = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(key, f"{part} to be a section", child)
        node = child
    node[parts[-1]] = value


def parse_config(data: Mapping[str, Any]) -> GeneratorConfig:
    """Build a :class:`GeneratorConfig` from plain data, rejecting anything it cannot use."""
    base = GeneratorConfig()
    config = _build(GeneratorConfig, data, "", base)
    _validate(config)
    return config


def _build(cls: type, data: Any, prefix: str, default: Any) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(prefix.rstrip(".") or "config", "a mapping of settings", data)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ConfigError(prefix + str(unknown[0]), f"one of the keys {', '.join(names)}", "unknown key")
    values = {}
    for name in names:
        key = prefix + name
        current = getattr(default, name)
        if name not in data:
            values[name] = current
            continue
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            values[name] = _build(typing.cast(type, hint), data[name], key + ".", current)
        else:
            values[name] = _coerce(hint, data[name], key)
    return cls(**values)


def _coerce(hint: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _coerce(inner, value, key)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "true or false", value)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "an integer", value)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "a number", value)
        if not math.isfinite(value):
            raise ConfigError(key, "a finite number", value)
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, "a string", value)
        return value
    if hint is dt.date:
        if isinstance(value, dt.datetime):
            raise ConfigError(key, "a date like 2026-01-01 (events start at midnight UTC)", value)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(key, "a date like 2026-01-01", value) from None
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigError(key, "a list", value)
        item = args[0]
        return tuple(_coerce(item, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict):
        if not isinstance(value, Mapping):
            raise ConfigError(key, "a mapping", value)
        return {str(k): _coerce(args[1], v, f"{key}.{k}") for k, v in value.items()}
    raise TypeError(f"unsupported config type {hint} at {key}")


def _validate(config: GeneratorConfig) -> None:
    if config.seed < 0 or config.seed > MAX_ID:
        raise ConfigError("seed", "an integer from 0 to 2^63-1", config.seed)
    if config.partitions is not None and config.partitions < 1:
        raise ConfigError("partitions", "a positive integer or null (automatic)", config.partitions)
    for side, population in (("users", config.users), ("products", config.products)):
        _validate_population(side, population)
    _validate_affinity(config)
    _validate_interactions(config.interactions, config.users)
    if config.check.z <= 0:
        raise ConfigError("check.z", "a positive number of standard errors", config.check.z)


def _validate_population(side: str, population: PopulationConfig) -> None:
    if population.count < 1:
        raise ConfigError(f"{side}.count", "a positive integer", population.count)
    if population.classes < 1:
        raise ConfigError(f"{side}.classes", "a positive integer", population.classes)
    if population.count < population.classes:
        raise ConfigError(f"{side}.count", f"at least {side}.classes ({population.classes})", population.count)
    if population.class_shares is not None:
        _validate_distribution(f"{side}.class_shares", population.class_shares, population.classes)
        if min(population.class_shares) <= 0:
            raise ConfigError(f"{side}.class_shares", "shares above 0", list(population.class_shares))
    if population.id_base < 0:
        raise ConfigError(f"{side}.id_base", "a non-negative integer", population.id_base)
    if population.id_base + id_span(population.count) > MAX_ID:
        raise ConfigError(
            f"{side}.id_base",
            f"at most {MAX_ID - id_span(population.count)} so that ids fit in a bigint",
            population.id_base,
        )


def _validate_distribution(key: str, values: tuple[float, ...], length: int) -> None:
    if len(values) != length:
        raise ConfigError(key, f"a list of {length} numbers", list(values))
    for i, v in enumerate(values):
        if not 0.0 <= v <= 1.0:
            raise ConfigError(f"{key}[{i}]", "a probability in [0, 1]", v)
    if abs(sum(values) - 1.0) > 1e-6:
        raise ConfigError(key, "numbers that sum to 1", list(values))


def _validate_affinity(config: GeneratorConfig) -> None:
    k, m = config.users.classes, config.products.classes
    affinity = config.affinity
    if affinity.matrix is None:
        if len(affinity.row) != m:
            raise ConfigError("affinity.row", f"a list of {m} probabilities (products.classes)", list(affinity.row))
        rows: tuple[tuple[float, ...], ...] = (affinity.row,)
        key = "affinity.row"
    else:
        if len(affinity.matrix) != k or any(len(r) != m for r in affinity.matrix):
            shape = f"{len(affinity.matrix)} rows of {[len(r) for r in affinity.matrix]}"
            raise ConfigError("affinity.matrix", f"{k} rows of {m} probabilities (users.classes x products.classes)", shape)
        rows = affinity.matrix
        key = "affinity.matrix"
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if not 0.0 <= v <= 1.0:
                where = f"{key}[{j}]" if affinity.matrix is None else f"{key}[{i}][{j}]"
                raise ConfigError(where, "a probability in [0, 1]", v)
        if max(row) <= 0.0:
            raise ConfigError(key if affinity.matrix is None else f"{key}[{i}]", "at least one probability above 0", list(row))


def _validate_interactions(interactions: InteractionConfig, users: PopulationConfig) -> None:
    i = interactions
    if i.mean_per_user < 1.0:
        raise ConfigError("interactions.mean_per_user", "a number of at least 1", i.mean_per_user)
    if i.max_per_user < 1 or i.max_per_user > 1_000_000:
        raise ConfigError("interactions.max_per_user", "an integer from 1 to 1000000", i.max_per_user)
    if i.mean_per_user >= i.max_per_user:
        raise ConfigError("interactions.mean_per_user", f"below interactions.max_per_user ({i.max_per_user})", i.mean_per_user)
    if i.activity_tail <= 1.0:
        raise ConfigError("interactions.activity_tail", "a Pareto shape above 1 (smaller is heavier)", i.activity_tail)
    if i.popularity_exponent < 0.0:
        raise ConfigError("interactions.popularity_exponent", "a non-negative Zipf exponent", i.popularity_exponent)
    if not 0.0 <= i.noise_share <= 1.0:
        raise ConfigError("interactions.noise_share", "a probability in [0, 1]", i.noise_share)
    unknown = sorted(set(i.event_mix) - set(EVENT_TYPES))
    if unknown:
        raise ConfigError(f"interactions.event_mix.{unknown[0]}", f"one of the event types {', '.join(EVENT_TYPES)}", "unknown key")
    mix = tuple(i.event_mix.get(e, 0.0) for e in EVENT_TYPES)
    for name, v in zip(EVENT_TYPES, mix, strict=True):
        if not 0.0 <= v <= 1.0:
            raise ConfigError(f"interactions.event_mix.{name}", "a probability in [0, 1]", v)
    if abs(sum(mix) - 1.0) > 1e-6:
        raise ConfigError("interactions.event_mix", "shares that sum to 1", dict(i.event_mix))
    if i.days < 1:
        raise ConfigError("interactions.days", "a positive number of days", i.days)
    if i.id_base < 0:
        raise ConfigError("interactions.id_base", "a non-negative integer", i.id_base)
    span = event_id_span(users.count, i.max_per_user)
    if i.id_base + span > MAX_ID:
        raise ConfigError("interactions.id_base", f"at most {MAX_ID - span} so that event ids fit in a bigint", i.id_base)


def id_bits(count: int) -> int:
    """Bits of the scrambled id space for ``count`` entities: even, so Feistel halves balance."""
    bits = max(2, math.ceil(math.log2(max(count, 2))))
    return bits + (bits % 2)


def id_span(count: int) -> int:
    """Width of the reserved id range for ``count`` entities."""
    return 1 << id_bits(count)


def draw_bits(max_per_user: int) -> int:
    """Bits that hold a user's draw index (0 .. max_per_user-1)."""
    return max(1, math.ceil(math.log2(max(max_per_user, 2))))


def event_id_bits(user_count: int, max_per_user: int) -> int:
    bits = math.ceil(math.log2(max(user_count, 2))) + draw_bits(max_per_user)
    return bits + (bits % 2)


def event_id_span(user_count: int, max_per_user: int) -> int:
    return 1 << event_id_bits(user_count, max_per_user)


# --------------------------------------------------------------------------- the staging gate


@dataclass(frozen=True)
class RecsFloors:
    """Recommendations suite: is the output there, well formed, and about our catalog?"""

    min_user_coverage: float = 0.95
    min_fill_rate: float = 0.80
    max_unknown_product_rate: float = 0.01
    max_duplicate_rate: float = 0.0


@dataclass(frozen=True)
class AffinityFloors:
    """Affinity suite: floors per user class and overall."""

    min_top_class_share: float = 0.35
    min_normalized_affinity: float = 0.30
    min_ndcg: float = 0.50
    min_class_order_tau: float = 0.40
    max_disliked_share: float = 0.20
    min_coherence: float = 0.0


@dataclass(frozen=True)
class Comparison:
    """Comparison suite: candidate against a baseline version, judged on confidence bounds.

    For each metric, d = candidate - baseline with its lower confidence bound d_lo.
    d_lo >= -warn_margin passes; -fail_margin <= d_lo < -warn_margin warns; below fails.
    """

    metrics: tuple[str, ...] = ("normalized_affinity", "top_class_share", "ndcg", "user_coverage")
    warn_margin: float = 0.05
    fail_margin: float = 0.30


@dataclass(frozen=True)
class GateConfig:
    """Thresholds of the staging gate, kept as data in conf/gate.yaml."""

    k: int = 20
    z: float = 1.96
    disliked_affinity: float = 0.05
    coherence_pairs_per_class: int = 400
    recommendations: RecsFloors = RecsFloors()
    affinity: AffinityFloors = AffinityFloors()
    comparison: Comparison = Comparison()


def read_settings(path: str | None, shipped: str, option: str, expected: str, overrides: Iterable[str]) -> dict[str, Any]:
    """A settings YAML (``path``, else the shipped conf/<shipped> if present) with --set style overrides."""
    source = Path(path) if path else conf_dir() / shipped
    data: dict[str, Any] = {}
    if source.is_file():
        loaded = yaml.safe_load(source.read_text())
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(str(source), "a mapping of settings", type(loaded).__name__)
        data = loaded or {}
    elif path:
        raise ConfigError(option, expected, path)
    for item in overrides:
        _apply_override(data, item)
    return data


def load_gate_config(path: str | None = None, overrides: Iterable[str] = ()) -> GateConfig:
    """Read the gate thresholds (conf/gate.yaml unless ``path``), apply overrides, validate."""
    data = read_settings(path, "gate.yaml", "--gate", "a YAML file of gate thresholds", overrides)
    gate = _build(GateConfig, data, "", GateConfig())
    if gate.k < 1 or gate.k > 1000:
        raise ConfigError("k", "an integer from 1 to 1000", gate.k)
    if gate.z <= 0:
        raise ConfigError("z", "a positive number of standard errors", gate.z)
    for section in ("recommendations", "affinity"):
        for f in dataclasses.fields(getattr(gate, section)):
            value = getattr(getattr(gate, section), f.name)
            if f.name != "min_class_order_tau" and not 0.0 <= value <= 1.0:
                raise ConfigError(f"{section}.{f.name}", "a share in [0, 1]", value)
    known = {"user_coverage", "fill_rate", "top_class_share", "affinity", "normalized_affinity", "ndcg",
             "class_order_tau", "disliked_share", "coherence"}
    for i, metric in enumerate(gate.comparison.metrics):
        if metric not in known:
            raise ConfigError(f"comparison.metrics[{i}]", f"one of {', '.join(sorted(known))}", metric)
    if not 0 <= gate.comparison.warn_margin <= gate.comparison.fail_margin:
        raise ConfigError("comparison.warn_margin", "0 <= warn_margin <= fail_margin", gate.comparison.warn_margin)
    return gate


@dataclass(frozen=True)
class AlsConfig:
    """Spark MLlib ALS with implicit feedback: the reference recommender's hyper-parameters."""

    rank: int = 8
    max_iter: int = 10
    reg_param: float = 0.05
    alpha: float = 10.0
    blocks: int = 4
    exclude_seen: bool = False
    candidates: int = 20_000


@dataclass(frozen=True)
class ModelConfig:
    """The reference recommender and the mutants, kept as data in conf/model.yaml."""

    k: int = 20
    seed: int = 1
    als: AlsConfig = AlsConfig()
    weights: Mapping[str, float] = field(
        default_factory=lambda: {"like": 1.0, "save": 2.0, "comment": 2.0, "message": 3.0, "purchase": 5.0}
    )
    noise_share: float = 0.3


def load_model_config(path: str | None = None, overrides: Iterable[str] = ()) -> ModelConfig:
    """Read the model settings (conf/model.yaml unless ``path``), apply overrides, validate."""
    data = read_settings(path, "model.yaml", "--model-conf", "a YAML file of model settings", overrides)
    model = _build(ModelConfig, data, "", ModelConfig())
    if not 1 <= model.k <= 1000:
        raise ConfigError("k", "an integer from 1 to 1000", model.k)
    if not 0 <= model.seed <= MAX_ID:
        raise ConfigError("seed", f"an integer from 0 to {MAX_ID}", model.seed)
    als = model.als
    for key, value, low in (("rank", als.rank, 1), ("max_iter", als.max_iter, 1), ("blocks", als.blocks, 1),
                            ("candidates", als.candidates, 0)):
        if value < low:
            raise ConfigError(f"als.{key}", f"an integer >= {low}", value)
    if als.reg_param < 0 or als.alpha < 0:
        raise ConfigError("als.reg_param" if als.reg_param < 0 else "als.alpha", "a number >= 0",
                          min(als.reg_param, als.alpha))
    if not model.weights or any(w < 0 for w in model.weights.values()) or not any(model.weights.values()):
        raise ConfigError("weights", "event type -> weight >= 0, at least one positive", dict(model.weights))
    if not 0.0 <= model.noise_share <= 1.0:
        raise ConfigError("noise_share", "a share in [0, 1]", model.noise_share)
    return model

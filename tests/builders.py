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

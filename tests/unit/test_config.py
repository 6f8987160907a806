"""Config parsing: profiles load, every kind of bad value gives one error naming its key."""

from __future__ import annotations

import pytest

from recspark.config import GeneratorConfig, load_config, parse_config
from recspark.errors import ConfigError


def test_profiles_have_the_documented_sizes() -> None:
    local = load_config("local")
    staging = load_config("staging")
    production = load_config("production")
    assert (staging.users.count, staging.products.count) == (500_000, 500_000)
    assert (production.users.count, production.products.count) == (12_000_000, 93_000_000)
    assert local.users.count < staging.users.count


def test_default_affinity_rotates_the_row_so_each_class_has_its_own_favourite() -> None:
    matrix = GeneratorConfig().affinity_matrix()
    assert matrix[0] == (0.95, 0.50, 0.15, 0.05, 0.01)
    assert matrix[1] == (0.01, 0.95, 0.50, 0.15, 0.05)
    favourites = [row.index(max(row)) for row in matrix]
    assert favourites == [0, 1, 2, 3, 4]


def test_overrides_and_seed_apply_on_top_of_a_profile() -> None:
    config = load_config("local", ["users.count=123", "interactions.noise_share=0.1"], seed=99)
    assert config.users.count == 123
    assert config.interactions.noise_share == 0.1
    assert config.seed == 99


def test_explicit_matrix_replaces_the_rotated_row() -> None:
    config = load_config(
        None,
        ["users.classes=2", "products.classes=2", "users.count=10", "products.count=10",
         "affinity.matrix=[[0.9, 0.1], [0.2, 0.8]]"],
    )
    assert config.affinity_matrix() == ((0.9, 0.1), (0.2, 0.8))


def test_content_hash_ignores_partitioning_but_not_the_seed() -> None:
    base = parse_config({})
    assert parse_config({"partitions": 7}).content_hash() == base.content_hash()
    assert parse_config({"seed": 1}).content_hash() != base.content_hash()


@pytest.mark.parametrize(
    ("overrides", "key", "expected"),
    [
        (["colour=blue"], "colour", "one of the keys"),
        (["users.colour=blue"], "users.colour", "one of the keys"),
        (["users.count=many"], "users.count", "an integer"),
        (["users.count=true"], "users.count", "an integer"),
        (["users.count=-5"], "users.count", "a positive integer"),
        (["products.count=0"], "products.count", "a positive integer"),
        (["interactions.noise_share=1.5"], "interactions.noise_share", "a probability in [0, 1]"),
        (["affinity.row=[0.9, 0.5, 0.15, 0.05, 1.2]"], "affinity.row[4]", "a probability in [0, 1]"),
        (["affinity.row=[0.9, 0.5]"], "affinity.row", "a list of 5 probabilities"),
        (["affinity.matrix=[[0.9, 0.1], [0.1, 0.9]]"], "affinity.matrix", "5 rows of 5 probabilities"),
        (["users.class_shares=[0.5, 0.5]"], "users.class_shares", "a list of 5 numbers"),
        (["users.class_shares=[0.3, 0.3, 0.3, 0.3, 0.3]"], "users.class_shares", "sum to 1"),
        (["interactions.event_mix.click=0.1"], "interactions.event_mix.click", "one of the event types"),
        (["interactions.event_mix.like=0.9"], "interactions.event_mix", "sum to 1"),
        (["interactions.start=yesterday"], "interactions.start", "a date like 2026-01-01"),
        (["interactions.days=0"], "interactions.days", "a positive number of days"),
        (["interactions.mean_per_user=5000"], "interactions.mean_per_user", "below interactions.max_per_user"),
        (["interactions.activity_tail=1.0"], "interactions.activity_tail", "above 1"),
        (["users.id_base=9223372036854775000"], "users.id_base", "fit in a bigint"),
        (["seed=-1"], "seed", "from 0 to 2^63-1"),
        (["partitions=0"], "partitions", "a positive integer"),
        (["users=5"], "users", "a mapping"),
        (["no-equals-sign"], "--set", "key=value"),
    ],
)
def test_bad_config_names_the_key_and_what_is_expected(overrides: list[str], key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("local", overrides)
    message = str(caught.value)
    assert caught.value.key == key
    assert expected in message
    assert "\n" not in message


def test_unknown_profile_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="one of local, staging, production"):
        load_config("nightly")


def test_profile_that_is_not_a_mapping_is_rejected(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="a mapping of settings"):
        load_config(str(path))

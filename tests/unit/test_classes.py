"""The planted truth in pure Python: class sizes, mixes and the activity distribution."""

from __future__ import annotations

import numpy as np
import pytest

from recspark.population.classes import (
    activity_scale,
    class_counts,
    class_starts,
    expected_activity,
    expected_mix,
)

ACTIVITY_TOLERANCE = 0.02  # relative, Monte Carlo over 400k draws


def test_class_counts_follow_shares_and_sum_to_the_total() -> None:
    assert class_counts(10, [0.2] * 5) == (2, 2, 2, 2, 2)
    assert class_counts(11, [0.2] * 5) == (3, 2, 2, 2, 2)
    counts = class_counts(1_000_003, [0.5, 0.3, 0.2])
    assert sum(counts) == 1_000_003
    assert counts[0] == 500_002 or counts[0] == 500_001


def test_every_class_gets_someone_when_the_total_allows() -> None:
    assert min(class_counts(5, [0.96, 0.01, 0.01, 0.01, 0.01])) == 1


def test_class_starts_are_cumulative() -> None:
    assert class_starts((3, 2, 5)) == (0, 3, 5)


def test_expected_mix_is_share_times_affinity_normalised_plus_noise() -> None:
    affinity = [[0.9, 0.1], [0.2, 0.6]]
    shares = [0.75, 0.25]
    mix = expected_mix(affinity, shares, noise_share=0.0)
    assert mix[0] == pytest.approx([0.675 / 0.7, 0.025 / 0.7])
    noisy = expected_mix(affinity, shares, noise_share=0.5)
    assert noisy[1] == pytest.approx(0.5 * np.array([0.15, 0.15]) / 0.3 + 0.5 * np.array(shares))
    assert noisy.sum(axis=1) == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(("mean", "tail", "cap"), [(15.0, 2.0, 2000), (20.0, 1.5, 10_000), (3.0, 3.0, 50)])
def test_activity_scale_hits_the_mean_and_matches_sampling(mean: float, tail: float, cap: int) -> None:
    scale = activity_scale(mean, tail, cap)
    assert expected_activity(scale, tail, cap) == pytest.approx(mean, rel=1e-6)
    u = np.random.default_rng(0).random(400_000)
    sampled = np.minimum(cap, 1 + np.floor(scale * ((1 - u) ** (-1 / tail) - 1)))
    assert sampled.mean() == pytest.approx(mean, rel=ACTIVITY_TOLERANCE)
    assert sampled.max() > 10 * mean  # heavy tail: some users are far more active than the mean

"""The power statistics every comparison prints: paired difference, its CI, the minimum detectable difference."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pdbench.leaderboard.power import minimum_detectable_difference, paired_difference, pooled_sd, seeds_needed


def _mdd(sd: float, n: int) -> float:
    return (stats.t.ppf(0.975, n - 1) + stats.t.ppf(0.8, n - 1)) * sd / np.sqrt(n)


def test_the_documented_noise_floor_three_seeds_detect_a_quarter_and_a_twentieth_needs_24():
    # docs/results-tiny.md: paired sd 0.082 AW at the current code
    assert minimum_detectable_difference(0.082, 3) == pytest.approx(0.254, abs=5e-4)
    assert seeds_needed(0.05, 0.082) == 24


def test_seeds_needed_is_the_first_count_whose_mdd_reaches_the_target():
    for sd in (0.01, 0.05, 0.1, 0.3):
        n = seeds_needed(0.05, sd)
        assert _mdd(sd, n) <= 0.05 and (n == 2 or _mdd(sd, n - 1) > 0.05)
    assert seeds_needed(0.05, 0.0) == 2
    assert seeds_needed(0.05, 100.0) is None  # beyond MOST_SEEDS
    with pytest.raises(ValueError, match="positive"):
        seeds_needed(0.0, 0.1)


def test_one_seed_has_no_spread_to_detect_anything_with():
    with pytest.raises(ValueError, match="two seeds"):
        minimum_detectable_difference(0.1, 1)


def test_paired_difference_is_scipys_paired_t_with_its_confidence_interval_and_mdd():
    a = pd.Series([1.10, 0.95, 1.02, 1.20], index=[0, 1, 2, 3])
    b = pd.Series([1.00, 0.97, 0.90, 1.05], index=[0, 1, 2, 3])
    test = paired_difference(a, b)
    expected = stats.ttest_rel(a, b)
    low, high = expected.confidence_interval(0.95)
    assert (test.t, test.p) == (pytest.approx(expected.statistic), pytest.approx(expected.pvalue))
    assert (test.ci_low, test.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert test.n == 4 and test.mdd == pytest.approx(_mdd(float((a - b).std()), 4))
    assert test.seeds_for(0.05) == seeds_needed(0.05, test.sd)
    assert set(test.to_dict()) == {"mean", "sd", "n", "t", "p", "ci_low", "ci_high", "mdd"}


def test_pairs_by_seed_and_needs_two_in_common():
    a = pd.Series([1.0, 2.0, 3.0], index=[0, 1, 2])
    b = pd.Series([1.5, 2.0, 9.0], index=[1, 2, 3])  # seeds 1 and 2 in common
    assert paired_difference(a, b).mean == pytest.approx(((2.0 - 1.5) + (3.0 - 2.0)) / 2)
    assert paired_difference(a, b.loc[[2]]) is None


def test_no_spread_is_certain_when_the_mean_differs_and_null_when_not():
    same = pd.Series([1.0, 1.0], index=[0, 1])
    shifted = paired_difference(same + 0.1, same)
    assert (shifted.p, shifted.mdd, shifted.ci_low) == (0.0, 0.0, pytest.approx(0.1))
    assert paired_difference(same, same).p == 1.0


def test_pooled_sd_is_the_root_mean_square():
    assert pooled_sd([0.03, 0.04]) == pytest.approx(np.sqrt((0.03**2 + 0.04**2) / 2))
    with pytest.raises(ValueError):
        pooled_sd([])

import numpy as np
import pytest

from pdbench.pd.math import (
    balanced_fractions,
    length_balanced_sample,
    pd_from_gaps,
    preference_divergence,
    quantile_scales,
    scale_and_clip,
)

# Three pairs labelled by aspects 0, 1, 2; column j = gap given by aspect j's model.
GAPS = np.array([
    [9.0, 2.0, -4.0],
    [1.0, 7.0, 1.0],
    [-3.0, 4.0, 5.0],
])
LABELS = np.array([0, 1, 2])


def test_quantile_scale_uses_only_other_aspects_pairs():
    # gamma = 1 -> the max |gap| over the pairs the model did not label:
    # model 0 scores pairs 1, 2 -> max(1, 3) = 3; model 1: pairs 0, 2 -> 4; model 2: pairs 0, 1 -> 4.
    assert quantile_scales(GAPS, LABELS, 1.0).tolist() == [3.0, 4.0, 4.0]
    # gamma = 0.5 over two values is their midpoint: model 0 -> (1 + 3) / 2.
    assert quantile_scales(GAPS, LABELS, 0.5)[0] == pytest.approx(2.0)


def test_scale_clip_and_pd_by_hand():
    scaled = scale_and_clip(GAPS, np.array([3.0, 4.0, 4.0]))
    assert scaled[0].tolist() == [1.0, 0.5, -1.0]  # 9/3 clipped to 1
    assert scaled[2].tolist() == [-1.0, 1.0, 1.0]  # -3/3, 4/4, 5/4 clipped
    pd = preference_divergence(scaled, LABELS)
    # pair 0 (aspect 0): -(0.5 + -1.0) = 0.5; pair 1: -(1/3 + 1/4); pair 2: -(-1 + 1) = 0
    assert pd.tolist() == pytest.approx([0.5, -(1 / 3 + 0.25), 0.0])


def test_agreeing_other_aspects_make_pd_negative():
    gaps = np.array([[0.0, 2.0, 2.0], [0.0, -2.0, -2.0], [1.0, 1.0, 1.0]])
    pd, _ = pd_from_gaps(gaps, np.array([0, 0, 1]), gamma=1.0)
    assert pd[0] < 0 < pd[1]


def test_zero_gaps_keep_scale_defined():
    assert quantile_scales(np.zeros((2, 2)), np.array([0, 1]), 0.9).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError):
        quantile_scales(GAPS, LABELS, 0.0)


def test_balance_temperature():
    assert balanced_fractions(0.7, 1.0)[0] == pytest.approx(1 / (1 + np.exp(-0.4)))
    assert balanced_fractions(0.7, 1e6)[0] == pytest.approx(0.5, abs=1e-6)
    assert balanced_fractions(0.7, 0.01)[0] == pytest.approx(1.0)
    assert sum(balanced_fractions(0.2, 0.5)) == pytest.approx(1.0)


def test_length_balanced_sample_proportions():
    rng = np.random.default_rng(0)
    delta = np.array([5] * 800 + [-5] * 200)  # f+ = 0.8
    sample = length_balanced_sample(delta, p_r=0.3, tau=1.0, rng=rng)
    expected_plus = round(300 * balanced_fractions(0.8, 1.0)[0])
    assert len(sample) == 300 and len(set(sample)) == 300
    assert (delta[sample] >= 0).sum() == expected_plus  # 0.8 -> ~0.646: more balanced than the data
    uniform = length_balanced_sample(delta, 0.3, 1.0, np.random.default_rng(0), balanced=False)
    assert len(uniform) == 300


def test_balanced_sample_caps_at_the_minority_size():
    delta = np.array([1] * 95 + [-1] * 5)
    sample = length_balanced_sample(delta, p_r=0.5, tau=100.0, rng=np.random.default_rng(1))
    assert (delta[sample] < 0).sum() == 5 and len(sample) == 50

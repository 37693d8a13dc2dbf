import numpy as np
import pytest

from pdbench.eval.alpaca import minimal_length_controlled, preference_annotations


def annotations(preferences, model_lengths, reference_length=50):
    n = len(preferences)
    return preference_annotations(
        [f"q{i}" for i in range(n)], ["r" * reference_length] * n, ["m" * length for length in model_lengths],
        preferences, "model", "rubric",
    )


def test_win_rate_counts_ties_as_half():
    metrics = minimal_length_controlled(annotations([2, 2, 1, 1.5] * 5, [40, 60, 50, 50] * 5))
    assert metrics["win_rate"] == pytest.approx(62.5)
    assert 0 <= metrics["length_controlled_winrate"] <= 100
    assert metrics["lc_kind"] == "length_controlled_minimal"


def test_length_control_discounts_wins_bought_with_length():
    rng = np.random.default_rng(0)
    lengths = rng.integers(10, 200, size=200)
    # The judge prefers the model exactly when it is longer than the 100-character reference.
    preferences = np.where(lengths > 100, 2.0, 1.0)
    metrics = minimal_length_controlled(annotations(preferences, lengths, reference_length=100))
    assert metrics["length_controlled_winrate"] < metrics["win_rate"] + 15
    assert abs(metrics["length_controlled_winrate"] - 50) < 15  # at equal length: a coin flip


def test_constant_preferences_do_not_break_the_glm():
    metrics = minimal_length_controlled(annotations([2.0] * 10, [30] * 10))
    assert metrics["length_controlled_winrate"] == metrics["win_rate"] == 100.0

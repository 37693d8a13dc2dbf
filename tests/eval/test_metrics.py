import pytest

from pdbench.eval.metrics import average_win, bootstrap_ci, position_consistency, win_score


def test_win_score_on_hand_made_tables():
    assert win_score(["win"] * 3 + ["loss"]) == pytest.approx(1.5)  # (3 - 1) / 4 + 1
    assert win_score(["tie"] * 5) == 1.0
    assert win_score(["loss"] * 2) == 0.0
    assert win_score(["win", "tie", "tie", "loss", "win"]) == pytest.approx(1.2)
    with pytest.raises(ValueError):
        win_score([])


def test_average_win_is_mean_and_std_of_sets():
    result = average_win({"a": ["win", "win"], "b": ["loss", "tie"]})
    assert result["per_set"] == {"a": 2.0, "b": 0.5}
    assert result["aw"] == pytest.approx(1.25) and result["aw_std"] == pytest.approx(0.75)
    low, high = result["aw_ci95"]
    assert low <= result["aw"] <= high


def test_bootstrap_ci_brackets_the_score_and_collapses_when_constant():
    outcomes = ["win"] * 30 + ["loss"] * 10 + ["tie"] * 10
    low, high = bootstrap_ci(outcomes)
    assert low < win_score(outcomes) < high
    assert bootstrap_ci(["win"] * 10) == (2.0, 2.0)


def test_position_consistency():
    assert position_consistency([(1, 1), (1, -1), (0, 0), (None, 1)]) == pytest.approx(2 / 3)
    assert position_consistency([(None, None)]) is None

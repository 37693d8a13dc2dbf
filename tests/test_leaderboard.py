"""Leaderboard: Figure 3 is drawn per conflict level, never pooling levels at one budget."""

import pandas as pd

from pdbench.leaderboard import budget_curve_levels, write_leaderboard


def _frame() -> pd.DataFrame:
    rows = []
    for seed in (0, 1):
        rows += [{"strategy": "ours", "conflict": 0.3, "budget": b, "seed": seed, "aw": 1.0 + b, "lc": 50.0, "wr": 50.0}
                 for b in (0.1, 0.3)]
        rows += [{"strategy": s, "conflict": 0.1, "budget": 0.3, "seed": seed, "aw": 0.8, "lc": 45.0, "wr": 45.0}
                 for s in ("ours", "rand")]
    return pd.DataFrame(rows)


def test_budget_curves_only_at_levels_with_several_budgets(tmp_path):
    frame = _frame()
    assert budget_curve_levels(frame) == [0.3]
    files = write_leaderboard(frame, tmp_path)
    assert tmp_path / "budget_curves.png" in files and (tmp_path / "budget_curves.png").stat().st_size > 0

    one_budget = frame[frame["budget"] == 0.3]
    assert budget_curve_levels(one_budget) == []
    assert tmp_path / "none" / "budget_curves.png" not in write_leaderboard(one_budget, tmp_path / "none")

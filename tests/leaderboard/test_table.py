"""Leaderboard: Figure 3 is drawn per conflict level, never pooling levels at one budget."""

import pandas as pd

from pdbench.leaderboard.table import budget_curve_levels, write_leaderboard


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


def _runs(rows: list[dict]) -> pd.DataFrame:
    """What mlflow.search_runs returns for cell runs (the columns the leaderboard reads)."""
    frame = pd.DataFrame([{
        "run_id": f"id{i}", "tags.mlflow.runName": row.get("name", f"run{i}"), "start_time": pd.Timestamp(2026, 1, 1) + pd.Timedelta(minutes=i),
        "tags.strategy": row["strategy"], "tags.conflict": "0.3", "tags.budget": str(row.get("budget", 0.3)),
        "tags.seed": str(row.get("seed", 0)), "tags.judge": row.get("judge", "rubric:world-v1"),
        "params.preset": "tiny", "params.policy": row.get("policy", "smollm2-135m-instruct"), "params.baseline": "overall",
        "params.strategy": row["strategy"], "params.seed": str(row.get("seed", 0)),
        "tags.train_precision": row.get("precision", "fp32"),
        "metrics.aw": row["aw"], "metrics.win_score.zeta": row["aw"], "metrics.win_score.alpha": row["aw"],
    } for i, row in enumerate(rows)])
    return frame


def test_duplicates_keep_the_newest_and_are_named(tmp_path):
    from pdbench.leaderboard.table import runs_frame, select_cells

    frame = runs_frame(_runs([{"strategy": "ours", "aw": 1.0, "name": "old"}, {"strategy": "ours", "aw": 1.4, "name": "new"},
                              {"strategy": "ours", "aw": 1.2, "seed": 1}]))
    kept, notes = select_cells(frame)
    assert sorted(kept["aw"]) == [1.2, 1.4] and notes == ["1 older duplicate run(s) of the same cell left out: old"]
    write_leaderboard(frame, tmp_path)
    assert "Left out: 1 older duplicate run(s) of the same cell left out: old" in (tmp_path / "leaderboard.md").read_text()


def test_runs_under_other_judges_or_policies_are_other_setups():
    from pdbench.leaderboard.table import cell_stats, runs_frame, select_cells

    frame = runs_frame(_runs([{"strategy": "ours", "aw": 1.0}, {"strategy": "ours", "aw": 1.6, "judge": "openai:x"},
                              {"strategy": "ours", "aw": 0.4, "policy": "other/model"}]))
    stats = cell_stats(select_cells(frame)[0])
    assert len(stats) == 3 and sorted(stats["aw_mean"]) == [0.4, 1.0, 1.6]
    assert "policy=other/model" in set(stats["setup"].str.split(", judge").str[0])


def test_a_budgeted_reference_keeps_its_budgets_apart_and_full_data_pools_them():
    from pdbench.leaderboard.table import cell_stats, runs_frame, select_cells

    frame = runs_frame(_runs([{"strategy": "pd_ratings", "aw": 1.0, "budget": 0.1}, {"strategy": "pd_ratings", "aw": 1.5},
                              {"strategy": "all", "aw": 1.1, "budget": 0.1}, {"strategy": "all", "aw": 1.2}]))
    kept, notes = select_cells(frame, budget=0.3)
    stats = cell_stats(kept)
    assert stats.set_index("strategy")["aw_mean"].to_dict() == {"pd_ratings": 1.5, "all": 1.2}  # `all` at 0.1 = same cell
    assert any("other budgets (0.1)" in n for n in notes) and any("duplicate" in n for n in notes)


def test_csv_is_numeric_and_png_order_is_stable(tmp_path):
    from pdbench.leaderboard.table import runs_frame

    frame = runs_frame(_runs([{"strategy": "ours", "aw": 1.2, "seed": s} for s in (0, 1)] + [{"strategy": "rand", "aw": 1.0}]))
    write_leaderboard(frame, tmp_path)
    csv = pd.read_csv(tmp_path / "leaderboard.csv")
    assert {"aw_mean", "aw_std", "n", "budget", "conflict"} <= set(csv.columns)
    assert csv["aw_mean"].dtype.kind == "f" and csv["n"].dtype.kind == "i"
    assert "**" not in (tmp_path / "leaderboard.csv").read_text() and "±" not in (tmp_path / "leaderboard.csv").read_text()
    assert "baseline 'overall'" in (tmp_path / "leaderboard.md").read_text()
    first = (tmp_path / "per_set_win_scores.png").read_bytes()
    write_leaderboard(frame[frame.columns[::-1]].iloc[::-1], tmp_path / "again")  # another column and row order
    assert (tmp_path / "again" / "per_set_win_scores.png").read_bytes() == first


def test_a_param_only_newer_runs_log_does_not_split_setups():
    from pdbench.leaderboard.table import runs_frame

    runs = _runs([{"strategy": "ours", "aw": 1.0}, {"strategy": "ours", "aw": 1.2, "seed": 1}])
    runs["params.added_later"] = [None, "x"]
    assert set(runs_frame(runs)["setup"]) == {"all runs"}


def test_behaviour_table_and_plot_from_the_behaviour_metrics(tmp_path):
    frame = _frame().assign(**{"behaviour.filler": 0.5, "behaviour_vs_sft.filler": -0.25, "behaviour.correct": 0.4,
                               "behaviour_vs_sft.correct": 0.05, "setup": "all runs"})
    frame.loc[frame["seed"] == 1, "behaviour_vs_sft.filler"] = -0.35
    files = write_leaderboard(frame, tmp_path)
    assert {tmp_path / "behaviour.md", tmp_path / "behaviour.csv", tmp_path / "behaviour_vs_sft.png"} <= set(files)
    stats = pd.read_csv(tmp_path / "behaviour.csv")
    ours = stats[(stats["strategy"] == "ours") & (stats["budget"] == 0.1)].iloc[0]
    assert ours["n"] == 2 and ours["behaviour_vs_sft.filler_mean"] == -0.3
    assert "0.50 ± 0.00 (-0.30)" in (tmp_path / "behaviour.md").read_text()
    assert (tmp_path / "behaviour_vs_sft.png").read_bytes()[:4] == b"\x89PNG"


def test_no_behaviour_files_off_the_world(tmp_path):
    files = write_leaderboard(_frame(), tmp_path)
    assert not any(f.name.startswith("behaviour") for f in files)


def test_one_seed_shows_no_spread_and_several_seeds_do():
    from pdbench.leaderboard.table import table1

    frame = _frame()
    single = frame[(frame["seed"] == 0) | (frame["strategy"] == "rand")]  # ours: one seed; rand: two
    table = table1(single, budget=0.3)
    ours, rand = (table.xs(name, level="strategy").iloc[0] for name in ("ours", "rand"))
    assert ours[("CL 10%", "AW")].strip("*") == "0.80" and ours[("CL 30%", "AW")].strip("*") == "1.30"
    assert rand[("CL 10%", "AW")].strip("*") == "0.80 ± 0.00"


def test_the_leaderboard_writes_the_comparisons_beside_table_1(tmp_path):
    files = write_leaderboard(_frame(), tmp_path, budget=0.3, compare=("ours",))
    assert {tmp_path / "comparisons.md", tmp_path / "comparisons.csv"} <= set(files)
    assert "| 10% | 0.3 | ours | rand | 2 |" in (tmp_path / "comparisons.md").read_text()


def test_a_pair_trained_in_different_arithmetic_stays_one_setup_and_is_flagged(tmp_path):
    from pdbench.leaderboard.table import runs_frame

    rows = [{"strategy": "ours", "aw": 1.2 + s / 10, "seed": s, "precision": "bf16"} for s in (0, 1)]
    rows += [{"strategy": "rand", "aw": 1.0, "seed": 0, "precision": "bf16"}, {"strategy": "rand", "aw": 1.1, "seed": 1}]
    frame = runs_frame(_runs(rows))
    assert list(frame["precision"]) == ["bf16", "bf16", "bf16", "fp32"] and set(frame["setup"]) == {"all runs"}
    write_leaderboard(frame, tmp_path)
    assert "ours vs rand at 30%: 1 of 2" in (tmp_path / "comparisons.md").read_text()

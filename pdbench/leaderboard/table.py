"""Table 1 from MLflow runs: strategies x conflict levels x {WR, LC, AW}, seeds aggregated, best marked.

Runs are grouped by everything that defines a cell: its setup (preset, dataset, judge, policy,
baseline, hyperparameters: whatever differs between the runs), strategy, conflict level, budget
(for budgeted strategies only) and seed; of duplicate runs of one cell the newest counts, and the
files say what was left out.

Also Figure 3 (LC and AW against the selection budget, per strategy) and Tables B.1-B.3 (win
score per test set) as PNGs, on the world what the policies learned (``behaviour_board``), and every pair of
strategies compared paired by seed, with the difference its seeds can detect (``comparisons``). Everything is
written as Markdown, CSV and a standalone HTML page.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from pdbench.leaderboard import mean_std_text
from pdbench.leaderboard.behaviour import write_behaviour
from pdbench.leaderboard.comparisons import TARGET, write_comparisons
from pdbench.infra.fileio import write_text, write_with
from pdbench.selection.plan import is_budgeted
from pdbench.infra.plotting import pyplot
from pdbench.selection.registry import discover

GROUPS = {"reference": "INIT / REF", "full": "FULL", "selection": "SELECTION", "ablation": "ABLATION"}
METRICS = (("wr", "WR"), ("lc", "LC"), ("aw", "AW"))
CELL = ["setup", "strategy", "conflict", "budget", "seed"]
"""What makes two runs the same cell (budget only for budgeted strategies): duplicates keep the newest."""
NOT_SETUP = {"strategy", "conflict", "budget", "seed", "judge.api_key_env", "judge.timeout_s", "judge.max_retries",
             "max_invalid_share", "num_processes", "accelerate_config",
             # the same settings under the names runs logged before the judge had its own config
             "judge_api_key_env", "judge_timeout_s", "judge_max_retries"}
"""Run params that do not define the setup: the cell's own coordinates, and how the compute was spread, reached
or guarded (a result that passed the invalid-verdict limit does not depend on it)."""


def runs_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """Tidy cell runs, one row per run: setup, strategy, conflict, budget, seed, run, start time, baseline, the
    arithmetic the policy trained in (``precision``; None for runs logged before it was tagged), metrics.

    ``setup`` labels everything else that defines a cell (preset, dataset, judge, policy, baseline,
    hyperparameters ...): the params and tags that differ between the runs, ``"all runs"`` when none do.
    """
    if runs.empty:
        raise ValueError("no finished pdbench runs found; run `pdbench run` or `pdbench sweep` first")
    frame = pd.DataFrame({
        "strategy": runs["tags.strategy"],
        "conflict": runs["tags.conflict"].astype(float),
        "budget": runs["tags.budget"].astype(float),
        "seed": runs["tags.seed"].astype(int),
        "run": runs.get("tags.mlflow.runName", runs.get("run_id")),
        "start_time": runs.get("start_time"),
        "baseline": runs.get("params.baseline"),
        "precision": runs.get("tags.train_precision"),
        "setup": _setup_labels(runs),
    })
    for column in runs.columns:
        if column.startswith("metrics."):
            frame[column.removeprefix("metrics.")] = runs[column]
    return frame


def _setup_labels(runs: pd.DataFrame) -> pd.Series:
    defining = [c for c in runs.columns if c.startswith("params.") and c.removeprefix("params.") not in NOT_SETUP]
    defining += [c for c in ("tags.preset", "tags.dataset", "tags.judge") if c in runs and f"params.{c[5:]}" not in runs]
    # A param some runs lack (logged only by newer versions) cannot tell setups apart: it is ignored.
    varying = [c for c in defining if runs[c].notna().all() and runs[c].astype(str).nunique() > 1]
    if not varying:
        return pd.Series("all runs", index=runs.index)
    return runs[varying].astype(str).apply(
        lambda row: ", ".join(f"{c.split('.', 1)[1]}={v}" for c, v in row.items()), axis=1)


def select_cells(frame: pd.DataFrame, budget: float | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The runs Table 1 shows, and one note per group of runs it left out (duplicates, other budgets).

    A cell is (setup, strategy, conflict, budget for budgeted strategies, seed); of several runs of
    one cell the newest stays. With ``budget``, budgeted strategies keep only that budget.
    """
    frame = frame.assign(setup=frame["setup"] if "setup" in frame else "all runs")
    budgeted = frame["strategy"].map(lambda strategy: is_budgeted(strategy, _budgeted()))
    frame = frame.assign(budget=frame["budget"].where(budgeted))  # NaN: the strategy ignores the budget
    notes = []
    order = frame.sort_values("start_time", ascending=False) if "start_time" in frame else frame.iloc[::-1]
    duplicate = order.duplicated(CELL)
    if duplicate.any():
        names = ", ".join(order.loc[duplicate, "run"].astype(str)) if "run" in order else ""
        notes.append(f"{int(duplicate.sum())} older duplicate run(s) of the same cell left out" + (f": {names}" if names else ""))
    kept = order[~duplicate].iloc[::-1]
    if budget is not None:
        elsewhere = kept["budget"].notna() & (kept["budget"] != budget)
        if elsewhere.any():
            budgets = ", ".join(f"{b:g}" for b in sorted(kept.loc[elsewhere, "budget"].unique()))
            notes.append(f"{int(elsewhere.sum())} run(s) of budgeted strategies at other budgets ({budgets}) left out")
        kept = kept[~elsewhere]
    return kept.sort_index(), notes


def table_cells(frame: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Table 1's cells: budgeted strategies (selection, ablations, budgeted references; unknown ones too) at
    ``budget``, the others (full data, references) at whatever budget they ran, since they ignore it."""
    budgeted = frame["strategy"].map(lambda strategy: is_budgeted(strategy, _budgeted()))
    return frame[~budgeted | (frame["budget"] == budget)]


def cell_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric Table 1, one row per (setup, strategy, budget, conflict): n seeds, mean and std of every metric
    and of GPU-hours (selection + training; evaluation left out, as in the paper's Table 1)."""
    kinds = {name: info.kind for name, info in discover().items()}
    frame = frame.assign(gpu_hours=frame.get("gpu_hours.selection", 0) + frame.get("gpu_hours.training", 0))
    rows = []
    for (setup, strategy, budget, conflict), cell in frame.groupby(["setup", "strategy", "budget", "conflict"], dropna=False):
        row = {"setup": setup, "group": GROUPS.get(kinds.get(strategy, "selection")), "strategy": strategy,
               "budget": budget, "conflict": conflict, "n": len(cell)}
        for metric in [m for m, _ in METRICS] + ["gpu_hours"]:
            values = cell[metric].dropna() if metric in cell else pd.Series(dtype=float)
            row[f"{metric}_mean"] = values.mean() if len(values) else np.nan
            row[f"{metric}_std"] = values.std(ddof=0) if len(values) else np.nan
        rows.append(row)
    stats = pd.DataFrame(rows)
    stats["_order"] = stats["group"].map(list(GROUPS.values()).index)
    return stats.sort_values(["setup", "_order", "strategy", "budget", "conflict"]).drop(columns="_order").reset_index(drop=True)


def table1(frame: pd.DataFrame, budget: float | None = None) -> pd.DataFrame:
    """Rows = (setup,) group, strategy, λ; columns = (conflict, metric) as "mean ± std" strings, plus GPU-hours;
    the best mean per column (within a setup) is marked with ``**``. The setup level appears only when runs differ."""
    return _text_table(cell_stats(select_cells(frame, budget)[0]))


def _text_table(stats: pd.DataFrame) -> pd.DataFrame:
    table = {}
    for _, row in stats.iterrows():
        budget = "" if pd.isna(row["budget"]) else f"{row['budget']:g}"
        cells = table.setdefault((row["setup"], row["group"], row["strategy"], budget), {})
        level = f"CL {row['conflict']:.0%}"
        for metric, label in METRICS:
            mean, std = row[f"{metric}_mean"], row[f"{metric}_std"]
            if pd.notna(mean):
                cells[(level, label)] = (mean, mean_std_text(mean, std, row["n"]))
        cells[("", "GPU-h")] = (None, f"{row['gpu_hours_mean']:.4f}")
    result = pd.DataFrame({key: {c: text for c, (_, text) in cells.items()} for key, cells in table.items()}).T
    for setup in stats["setup"].unique():
        for column in result.columns:
            means = {key: cells[column][0] for key, cells in table.items() if key[0] == setup and column in cells}
            best = max((m for m in means.values() if m is not None), default=None)
            for key, mean in means.items():
                if best is not None and mean == best:
                    result.loc[key, column] = f"**{result.loc[key, column]}**"
    result.index.names = ["setup", "group", "strategy", "λ"]
    if stats["setup"].nunique() == 1:
        result = result.droplevel("setup")
    labels = [label for _, label in METRICS] + ["GPU-h"]
    return result.reindex(sorted(result.columns, key=lambda c: (c[0] == "", c[0], labels.index(c[1]))), axis=1)


def write_leaderboard(frame: pd.DataFrame, out: Path, budget: float | None = None, compare: tuple[str, ...] = (),
                      target: float = TARGET) -> list[Path]:
    """Markdown and HTML of Table 1 (with what was left out), its numbers as CSV (mean, std, n per metric),
    the paired comparisons of the strategies (``compare``: only those involving these; ``target``: the difference
    whose seed count they show), the budget-curve and per-set PNGs, and on the world the policies' behaviour
    (``behaviour_board``); returns the files."""
    out = Path(out)
    selected, notes = select_cells(frame, budget)
    stats = cell_stats(selected)
    flat = _text_table(stats)
    flat.columns = [" ".join(c).strip() for c in flat.columns]
    flat = flat.reset_index()
    baseline = _baseline_name(selected)
    legend = (f"mean ± std over seeds; win scores and WR / LC against the baseline {baseline}; "
              "GPU-h = selection + training (evaluation left out).")
    main_setup = selected["setup"].value_counts().idxmax()
    main = selected[selected["setup"] == main_setup]
    if selected["setup"].nunique() > 1:
        notes.append(f"runs of the other setups, from the PNGs (they show the setup with the most runs: {main_setup})")
    files = [out / "leaderboard.md", out / "leaderboard.csv", out / "leaderboard.html"]
    write_text(files[0], _markdown(flat) + "\n" + legend + "\n" + "".join(f"\nLeft out: {n}" for n in notes) + "\n")
    write_with(files[1], lambda p: stats.to_csv(p, index=False))
    write_text(files[2], _html(flat, [legend, *(f"Left out: {n}" for n in notes)]))
    if budget_curve_levels(main):
        files.append(out / "budget_curves.png")
        write_with(files[-1], lambda p: _plot_budget_curves(main, p, baseline))
    set_columns = sorted(c for c in main.columns if c.startswith("win_score.") and main[c].notna().any())
    if set_columns:
        files.append(out / "per_set_win_scores.png")
        write_with(files[-1], lambda p: _plot_per_set(main, set_columns, p, baseline))
    return files + write_comparisons(selected, out, compare, target) + write_behaviour(selected, out)


def _budgeted() -> dict[str, bool]:
    return {name: info.budgeted for name, info in discover().items()}


def _baseline_name(frame: pd.DataFrame) -> str:
    """The baseline the runs were judged against, in words (``overall`` by default, as in the paper)."""
    names = sorted(frame["baseline"].dropna().astype(str).unique()) if "baseline" in frame else []
    return " / ".join(f"'{n}'" for n in names) if names else "of each run"


def _markdown(flat: pd.DataFrame) -> str:
    cells = flat.fillna("").astype(str)
    lines = ["| " + " | ".join(cells.columns) + " |", "|" + "---|" * len(cells.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def _html(flat: pd.DataFrame, notes: list[str]) -> str:
    body = flat.to_html(index=False, escape=True, na_rep="").replace("**", "")
    paragraphs = "".join(f"<p>{html.escape(note)}</p>" for note in
                         ["Best mean per column in bold in the Markdown version.", *notes])
    return ("<!doctype html><html><head><meta charset='utf-8'><title>pdbench leaderboard</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:4px 8px;text-align:right}</style></head><body><h1>pdbench leaderboard</h1>"
            f"{paragraphs}{body}</body></html>\n")


def budget_curve_levels(frame: pd.DataFrame) -> list[float]:
    """Conflict levels at which some strategy ran at two or more budgets: one Figure-3 panel row each.

    Curves are drawn per level because pooling levels would mix cells of different data at each budget.
    """
    return [level for level, cells in frame.groupby("conflict") if cells.groupby("strategy")["budget"].nunique().max() > 1]


def _plot_budget_curves(frame: pd.DataFrame, path: Path, baseline: str) -> None:
    plt = pyplot()
    metrics = [m for m in ("lc", "aw") if m in frame]
    levels = budget_curve_levels(frame)
    fig, axes = plt.subplots(len(levels), len(metrics), figsize=(5 * len(metrics), 3.6 * len(levels)), squeeze=False)
    for row, level in zip(axes, levels):
        at_level = frame[frame["conflict"] == level]
        for ax, metric in zip(row, metrics):
            for strategy, cells in at_level.groupby("strategy"):
                curve = cells.groupby("budget")[metric].agg(["mean", "std"]).reset_index()
                if len(curve) < 2:
                    continue
                ax.errorbar(curve["budget"], curve["mean"], yerr=curve["std"].fillna(0), marker="o", capsize=3,
                            label=strategy)
            ax.set_xlabel("selection budget λ")
            ax.set_ylabel(f"{metric.upper()} (conflict {level:.0%})")
            ax.legend(fontsize=8)
    fig.suptitle(f"Performance against the selection budget (Fig. 3), baseline {baseline}; mean ± std over seeds")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def _plot_per_set(frame: pd.DataFrame, set_columns: list[str], path: Path, baseline: str) -> None:
    plt = pyplot()
    levels = sorted(frame["conflict"].unique())
    fig, axes = plt.subplots(1, len(levels), figsize=(6 * len(levels), 3.8), squeeze=False)
    for ax, level in zip(axes[0], levels):
        cells = frame[frame["conflict"] == level].groupby("strategy")[set_columns].mean()  # rows sorted by name
        image = ax.imshow(cells.to_numpy(), cmap="RdYlGn", vmin=0, vmax=2, aspect="auto")
        ax.set_xticks(range(len(set_columns)), [c.removeprefix("win_score.") for c in set_columns], rotation=30, ha="right")
        ax.set_yticks(range(len(cells)), cells.index)
        for (i, j), value in np.ndenumerate(cells.to_numpy()):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
        ax.set_title(f"win score per set vs baseline {baseline}, conflict {level:.0%} (Tables B.1-B.3)", fontsize=9)
        fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)

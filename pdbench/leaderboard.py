"""Table 1 from MLflow runs: strategies x conflict levels x {WR, LC, AW}, seeds aggregated, best marked.

Also Figure 3 (LC and AW against the selection budget, per strategy) and Tables B.1-B.3 (win
score per test set) as PNGs. Everything is written as Markdown, CSV and a standalone HTML page.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from pdbench.fileio import write_text, write_with
from pdbench.plotting import pyplot

GROUPS = {"reference": "INIT / REF", "full": "FULL", "selection": "SELECTION", "ablation": "ABLATION"}
METRICS = (("wr", "WR"), ("lc", "LC"), ("aw", "AW"))


def runs_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """Tidy cell runs: strategy, conflict, budget, seed and the metrics, one row per run."""
    if runs.empty:
        raise ValueError("no finished pdbench runs found; run `pdbench run` or `pdbench sweep` first")
    frame = pd.DataFrame({
        "strategy": runs["tags.strategy"],
        "conflict": runs["tags.conflict"].astype(float),
        "budget": runs["tags.budget"].astype(float),
        "seed": runs["tags.seed"].astype(int),
    })
    for column in runs.columns:
        if column.startswith("metrics."):
            frame[column.removeprefix("metrics.")] = runs[column]
    return frame


def table_cells(frame: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Table 1's cells: budgeted strategies (selection, ablations; unknown ones too) at ``budget``,
    the others (full data, references) at whatever budget they ran, since they ignore it."""
    from pdbench.plan import is_budgeted
    from pdbench.registry import discover

    kinds = {name: info.kind for name, info in discover().items()}
    budgeted = frame["strategy"].map(lambda strategy: is_budgeted(strategy, kinds))
    return frame[~budgeted | (frame["budget"] == budget)]


def table1(frame: pd.DataFrame, budget: float | None = None) -> pd.DataFrame:
    """Rows = strategies (grouped Full / Selection ...), columns = (conflict, metric) as "mean ± std" strings,
    plus GPU-hours; the best mean per column is marked with ``**``."""
    from pdbench.registry import discover

    kinds = {name: info.kind for name, info in discover().items()}
    selected = frame if budget is None else table_cells(frame, budget)
    grouped = selected.groupby(["strategy", "conflict"])
    rows = {}
    best = {}
    for (strategy, conflict), cell in grouped:
        for metric, label in METRICS:
            if metric not in cell or cell[metric].isna().all():
                continue
            mean, std = cell[metric].mean(), cell[metric].std(ddof=0)
            rows.setdefault(strategy, {})[(f"CL {conflict:.0%}", label)] = (mean, std, len(cell))
            key = (f"CL {conflict:.0%}", label)
            best[key] = max(best.get(key, -np.inf), mean)
        hours = cell.get("gpu_hours.selection", 0) + cell.get("gpu_hours.training", 0)
        rows.setdefault(strategy, {})[("", "GPU-h")] = (float(np.mean(hours)), 0.0, len(cell))
    table = {}
    order = sorted(rows, key=lambda s: (list(GROUPS).index(kinds.get(s, "selection")), s))
    for strategy in order:
        cells = {}
        for key, (mean, std, n) in rows[strategy].items():
            text = f"{mean:.4f}" if key[1] == "GPU-h" else f"{mean:.2f}" if key[1] != "AW" else f"{mean:.2f} ± {std:.2f}"
            if key[1] in ("WR", "LC") and n > 1:
                text += f" ± {std:.2f}"
            if key in best and mean == best[key]:
                text = f"**{text}**"
            cells[key] = text
        table[(GROUPS.get(kinds.get(strategy, "selection")), strategy)] = cells
    result = pd.DataFrame.from_dict(table, orient="index")
    result.index.names = ["group", "strategy"]
    return result.reindex(sorted(result.columns, key=lambda c: (c[0] == "", c[0], [m[1] for m in METRICS + (("", "GPU-h"),)].index(c[1]))), axis=1)


def write_leaderboard(frame: pd.DataFrame, out: Path, budget: float | None = None) -> list[Path]:
    """Markdown, CSV, HTML of Table 1 plus the budget-curve and per-set PNGs; returns the files."""
    out = Path(out)
    table = table1(frame, budget)
    flat = table.copy()
    flat.columns = [" ".join(c).strip() for c in flat.columns]
    flat = flat.reset_index()
    files = [out / "leaderboard.md", out / "leaderboard.csv", out / "leaderboard.html"]
    write_text(files[0], _markdown(flat))
    write_with(files[1], lambda p: flat.to_csv(p, index=False))
    write_text(files[2], _html(flat))
    if budget_curve_levels(frame):
        files.append(out / "budget_curves.png")
        write_with(files[-1], lambda p: _plot_budget_curves(frame, p))
    set_columns = [c for c in frame.columns if c.startswith("win_score.")]
    if set_columns:
        files.append(out / "per_set_win_scores.png")
        write_with(files[-1], lambda p: _plot_per_set(frame, set_columns, p))
    return files


def _markdown(flat: pd.DataFrame) -> str:
    cells = flat.fillna("").astype(str)
    lines = ["| " + " | ".join(cells.columns) + " |", "|" + "---|" * len(cells.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def _html(flat: pd.DataFrame) -> str:
    body = flat.to_html(index=False, escape=True).replace("**", "")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>pdbench leaderboard</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:4px 8px;text-align:right}</style></head><body><h1>pdbench leaderboard</h1>"
            f"<p>{html.escape('Best mean per column in bold in the Markdown version; mean ± std over seeds.')}</p>"
            f"{body}</body></html>\n")


def budget_curve_levels(frame: pd.DataFrame) -> list[float]:
    """Conflict levels at which some strategy ran at two or more budgets: one Figure-3 panel row each.

    Curves are drawn per level because pooling levels would mix cells of different data at each budget.
    """
    return [level for level, cells in frame.groupby("conflict") if cells.groupby("strategy")["budget"].nunique().max() > 1]


def _plot_budget_curves(frame: pd.DataFrame, path: Path) -> None:
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
    fig.suptitle("Performance against the selection budget (Fig. 3); mean ± std over seeds")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def _plot_per_set(frame: pd.DataFrame, set_columns: list[str], path: Path) -> None:
    plt = pyplot()
    levels = sorted(frame["conflict"].unique())
    fig, axes = plt.subplots(1, len(levels), figsize=(6 * len(levels), 3.8), squeeze=False)
    for ax, level in zip(axes[0], levels):
        cells = frame[frame["conflict"] == level].groupby("strategy")[set_columns].mean()
        image = ax.imshow(cells.to_numpy(), cmap="RdYlGn", vmin=0, vmax=2, aspect="auto")
        ax.set_xticks(range(len(set_columns)), [c.removeprefix("win_score.") for c in set_columns], rotation=30, ha="right")
        ax.set_yticks(range(len(cells)), cells.index)
        for (i, j), value in np.ndenumerate(cells.to_numpy()):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
        ax.set_title(f"win score per set, conflict {level:.0%} (Tables B.1-B.3)")
        fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)

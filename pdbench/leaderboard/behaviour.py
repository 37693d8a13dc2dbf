"""The leaderboard's behaviour part: what each strategy's policy learned, by the world's gold rubric.

From the runs' ``behaviour.*`` metrics (rates of right answers, filler, hedging, fabrication, kept
format and refusals in the policy's answers, and their mean length) and ``behaviour_vs_sft.*`` (the
change against the SFT policy): a table of mean ± std over seeds per cell, and a plot of the change
against SFT per property, one bar per strategy. Runs off the world have no such metrics.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pdbench.infra.fileio import write_text, write_with
from pdbench.infra.plotting import pyplot
from pdbench.leaderboard import mean_std_text
from pdbench.results import BEHAVIOUR as PREFIX
from pdbench.results import BEHAVIOUR_VS_SFT as CHANGE

CELL = ["setup", "strategy", "budget", "conflict"]


def behaviour_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: n seeds, and mean / std over seeds of every behaviour and change-vs-SFT metric."""
    columns = [c for c in frame.columns if c.startswith((PREFIX, CHANGE)) and frame[c].notna().any()]
    if not columns:
        return pd.DataFrame()
    grouped = frame.groupby(CELL, dropna=False)[columns]
    stats = grouped.agg(["mean", "std"])
    stats.columns = [f"{name}_{stat}" for name, stat in stats.columns]
    stats.insert(0, "n", grouped.size())
    return stats.reset_index()


def write_behaviour(frame: pd.DataFrame, out: Path) -> list[Path]:
    """``behaviour.md`` / ``behaviour.csv`` and ``behaviour_vs_sft.png`` into ``out``; nothing off the world."""
    stats = behaviour_stats(frame)
    if stats.empty:
        return []
    out = Path(out)
    files = [out / "behaviour.md", out / "behaviour.csv", out / "behaviour_vs_sft.png"]
    write_text(files[0], _markdown(stats))
    write_with(files[1], lambda p: stats.to_csv(p, index=False))
    write_with(files[2], lambda p: _plot_change(stats, p))
    return files


def _properties(stats: pd.DataFrame, prefix: str) -> list[str]:
    return [c.removeprefix(prefix).removesuffix("_mean") for c in stats.columns
            if c.startswith(prefix) and c.endswith("_mean")]


def _markdown(stats: pd.DataFrame) -> str:
    names = _properties(stats, PREFIX)
    header = ["setup", "strategy", "λ", "CL", "n", *names]
    lines = ["Behaviour of the policies on the world's held-out prompts (gold rubric): rates, filler sentences per "
             "answer, length in words; mean ± std over seeds, change against the SFT policy in brackets.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in stats.iterrows():
        cells = [str(row["setup"]), row["strategy"], "" if pd.isna(row["budget"]) else f"{row['budget']:g}",
                 f"{row['conflict']:.0%}", str(int(row["n"]))]
        for name in names:
            mean, std = row[f"{PREFIX}{name}_mean"], row[f"{PREFIX}{name}_std"]
            change = row.get(f"{CHANGE}{name}_mean")
            text = mean_std_text(mean, std, row["n"])
            cells.append(text + ("" if change is None or pd.isna(change) else f" ({change:+.2f})"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _plot_change(stats: pd.DataFrame, path: Path) -> None:
    """Change against SFT per property (panels), one bar per strategy of the setup and conflict with most cells."""
    plt = pyplot()
    names = _properties(stats, CHANGE)
    main = stats[(stats["setup"] == stats["setup"].mode()[0]) & (stats["conflict"] == stats["conflict"].mode()[0])]
    main = main.sort_values(["strategy", "budget"])
    labels = [s if pd.isna(b) else f"{s} λ{b:g}" for s, b in zip(main["strategy"], main["budget"])]
    fig, axes = plt.subplots(1, len(names), figsize=(2.3 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.bar(range(len(main)), main[f"{CHANGE}{name}_mean"], yerr=main[f"{CHANGE}{name}_std"].fillna(0),
               color="#4c72b0", capsize=2)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(range(len(main)), labels, rotation=90, fontsize=8)
        ax.set_title(name, fontsize=10)
    axes[0][0].set_ylabel("policy - SFT")
    fig.suptitle(f"What the policies learned (change against SFT, conflict {main['conflict'].iloc[0]:.0%})")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)

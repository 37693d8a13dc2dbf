"""The paper's claims, checked on finished sweep folders (the tiny-scale reproduction of docs/results-tiny.md).

    python benchmarks/tiny_claims.py runs/tiny-table1 runs/tiny-budget [--budget 0.3] [--json claims.json]
                                     [--plot length_vs_aw.png]

Reads every cell's ``result.json`` and ``plan/diagnostics.json`` (no MLflow needed) and prints:

* AW, WR and LC per (strategy, conflict level) at the Table-1 budget: mean ± sample std over seeds;
* each claim of the paper as a paired comparison over seeds (cells of one seed share their pairs,
  PD and baseline, so the seed is the pairing unit): mean difference, its std, the paired t
  statistic and two-sided p-value, whether the difference exceeds the noise (p < 0.05), its 95 % CI,
  the minimum detectable difference for the seeds that ran (two-sided alpha 0.05, power 0.8) and the
  seeds a difference of 0.05 would need at its spread (``pdbench.leaderboard.power``);
* what the strategies selected and what the trained policies write: the selected pairs' conflict
  rate, chosen - rejected length (words) and share of longer chosen responses, and the policies'
  mean answer length (characters: the evaluation records `avg_length` in characters);
* the noise floor: from the observed spread of paired AW differences, the smallest difference the
  seeds detect (two-sided alpha 0.05, power 0.8) and the seeds needed to detect 0.05;
* the length diagnostics of docs/results-tiny.md's "Why" section: across cells, the correlation of
  AW with the policies' answer length, and of that length with what the selection kept
  (``--plot PNG`` draws AW against answer length, one colour per strategy).

The last line is JSON.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pdbench.leaderboard.comparisons import TARGET
from pdbench.leaderboard.folders import folder_cells
from pdbench.leaderboard.power import ALPHA, POWER, minimum_detectable_difference, paired_difference, pooled_sd, seeds_needed
from pdbench.leaderboard.table import table_cells

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report  # noqa: E402

CLAIMS = [
    # (claim, strategy A, strategy B, expected sign of A - B)
    ("ours beats rand", "ours", "rand", +1),
    ("ours beats all", "ours", "all", +1),
    ("ours beats overall", "ours", "overall", +1),
    ("ours beats oracle", "ours", "oracle", +1),
    ("high is below sft", "high", "sft", -1),
    ("high is below rand", "high", "rand", -1),
    ("dmpo beats all", "dmpo", "all", +1),
]


def load_cells(folders: list[Path]) -> pd.DataFrame:
    """One row per finished cell: its configuration, metrics and selection diagnostics."""
    cells = folder_cells(folders)
    selected = [_selected(folder) for folder in cells["folder"]]
    for key, column in (("conflict_rate", "selected_conflict_rate"), ("delta_len_mean", "selected_delta_len"),
                        ("share_chosen_longer", "selected_share_longer")):
        cells[column] = [row.get(key) for row in selected]
    # A cell may sit in two sweeps (the budget curve repeats λ = 0.3): keep one copy.
    return cells.drop(columns=["setup", "folder"]).drop_duplicates(["strategy", "conflict", "budget", "seed"])


def _selected(cell: Path) -> dict:
    """What the cell's selection kept (``plan/diagnostics.json``); nothing for a cell that selects nothing."""
    diagnostics_file = cell / "plan" / "diagnostics.json"
    return json.loads(diagnostics_file.read_text())["selection"]["selected"] if diagnostics_file.exists() else {}


def summary_table(cells: pd.DataFrame) -> pd.DataFrame:
    """mean ± sample std over seeds of AW / WR / LC and the diagnostics, per (strategy, conflict)."""
    metrics = ["aw", "wr", "lc", "answer_chars", "selected_conflict_rate", "selected_delta_len", "selected_share_longer"]
    grouped = cells.groupby(["strategy", "conflict"])
    table = grouped[metrics].agg(["mean", "std"])
    table[("seeds", "n")] = grouped.size()
    return table


def by_seed(cells: pd.DataFrame, strategy: str, conflict: float, metric: str) -> pd.Series:
    """``metric`` of one strategy at one conflict level, indexed by seed."""
    rows = cells[(cells["strategy"] == strategy) & np.isclose(cells["conflict"], conflict)]
    return rows.set_index("seed")[metric]


def paired(a: pd.Series, b: pd.Series) -> dict | None:
    """a - b over the seeds both have (``pdbench.leaderboard.power.paired_difference``): mean, sample std, paired
    t, two-sided p, n, the 95 % CI and the minimum detectable difference for these seeds (None under two seeds)."""
    test = paired_difference(a, b)
    if test is None:
        return None
    return {"mean_diff": test.mean, "std_diff": test.sd, "t": test.t, "p": test.p, "n": test.n,
            "ci_low": test.ci_low, "ci_high": test.ci_high, "mdd": test.mdd}


def check_claims(cells: pd.DataFrame) -> list[dict]:
    """Every claim at every conflict level where both strategies ran, on AW and on LC."""
    checks = []
    for claim, a, b, sign in CLAIMS:
        for conflict in sorted(cells["conflict"].unique()):
            for metric in ("aw", "lc"):
                result = paired(by_seed(cells, a, conflict, metric), by_seed(cells, b, conflict, metric))
                if result is None:
                    continue
                holds = np.sign(result["mean_diff"]) == sign
                verdict = ("holds" if holds else "reversed") + (" (beyond noise)" if result["p"] < 0.05 else " (within noise)")
                # the seeds a difference of 0.05 needs, with these seeds as the pilot: AW's scale only
                needed = seeds_needed(TARGET, result["std_diff"]) if metric == "aw" else None
                checks.append({"claim": claim, "conflict": conflict, "metric": metric, **result,
                               f"seeds_for_{TARGET:g}": needed, "verdict": verdict})
    return checks


def noise_floor(checks: list[dict], alpha: float = ALPHA, power: float = POWER, target: float = TARGET) -> dict | None:
    """What the design can detect, from the observed spread of paired AW differences over seeds.

    ``sd`` is the root mean square of the claims' paired-difference standard deviations on AW (the
    pooled seed noise of a strategy-vs-strategy difference); returns the smallest difference a paired t-test
    on the observed n seeds detects (``pdbench.leaderboard.power``), and the seeds needed for ``target``.
    """
    sds = [c["std_diff"] for c in checks if c["metric"] == "aw" and c["std_diff"] > 0]
    if not sds:
        return None
    sd, n = pooled_sd(sds), int(max(c["n"] for c in checks))
    return {"sd_paired_aw": sd, "comparisons": len(sds), "seeds": n, "alpha": alpha, "power": power,
            "detectable_aw_difference": minimum_detectable_difference(sd, n, alpha, power), "target": target,
            "seeds_for_target": seeds_needed(target, sd, alpha, power)}


def degradation(cells: pd.DataFrame, strategy: str = "all") -> dict | None:
    """Does ``strategy`` degrade as conflict rises? Its AW at the lowest minus the highest level, paired by seed."""
    levels = sorted(cells.loc[cells["strategy"] == strategy, "conflict"].unique())
    if len(levels) < 2:
        return None
    result = paired(by_seed(cells, strategy, levels[0], "aw"), by_seed(cells, strategy, levels[-1], "aw"))
    if result is None:
        return None
    return {"levels": [float(levels[0]), float(levels[-1])], "aw_drop": result["mean_diff"], "std": result["std_diff"],
            "t": result["t"], "p": result["p"], "n": result["n"]}


def length_diagnostics(cells: pd.DataFrame) -> dict:
    """Pearson r (and n) of AW with answer length, and of answer length with what the selection kept.

    The `overall` cells are left out: they are the AW baseline, at 1 by construction. Correlations
    with the selection use the cells that select (`sft` trains on nothing).
    """
    trained = cells[cells["strategy"] != "overall"]
    selecting = trained.dropna(subset=["selected_conflict_rate", "selected_delta_len"])

    def pearson(frame: pd.DataFrame, x: str, y: str) -> dict:
        return {"r": float(frame[x].corr(frame[y])), "n": len(frame)}

    return {
        "aw_vs_answer_chars": pearson(trained, "aw", "answer_chars"),
        "answer_chars_vs_selected_delta_len": pearson(selecting, "answer_chars", "selected_delta_len"),
        "answer_chars_vs_selected_conflict_rate": pearson(selecting, "answer_chars", "selected_conflict_rate"),
    }


def plot_length(cells: pd.DataFrame, r: dict, path: Path) -> None:
    """AW against the policies' mean answer length, one point per cell, one colour per strategy.

    ``r`` is ``length_diagnostics(cells)["aw_vs_answer_chars"]``, shown in the title.
    """
    from pdbench.infra.plotting import pyplot

    plt = pyplot()
    trained = cells[cells["strategy"] != "overall"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colours = plt.get_cmap("tab20").colors  # more strategies than the default cycle's ten colours
    for index, (strategy, rows) in enumerate(trained.groupby("strategy")):
        ax.scatter(rows["answer_chars"], rows["aw"], label=strategy, s=22, alpha=0.85,
                   color=colours[(2 * index) % 20 + index // 10], marker="os^D"[index % 4])
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel("policy's mean answer length (characters)")
    ax.set_ylabel("AW against `overall`")
    ax.set_title(f"Longer answers, lower AW: r = {r['r']:.2f} over {r['n']} cells")
    ax.legend(ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dirs", nargs="+", type=Path)
    parser.add_argument("--budget", type=float, default=0.3, help="Table 1's selection budget")
    parser.add_argument("--json")
    parser.add_argument("--plot", type=Path, help="write AW against answer length as this PNG")
    args = parser.parse_args()

    cells = load_cells(args.sweep_dirs)
    table = table_cells(cells, args.budget)
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.precision", 3):
        print(f"{len(cells)} cells; Table 1 at λ = {args.budget}: mean / std over seeds\n")
        print(summary_table(table).round(3).to_string(), "\n")
        checks = check_claims(table)
        shown = pd.DataFrame(checks).astype({f"seeds_for_{TARGET:g}": "Int64"})  # a count; LC rows have none
        print(shown.round(3).to_string(index=False), "\n")
        curve = cells[cells["strategy"].isin(["rand", "high", "mid", "ours"]) & np.isclose(cells["conflict"], 0.3)]
        print("budget curve at conflict 0.3 (AW mean / std):")
        print(curve.groupby(["strategy", "budget"])["aw"].agg(["mean", "std", "size"]).unstack("budget").round(3).to_string(), "\n")
    lengths = length_diagnostics(cells)
    floor = noise_floor(checks)
    summary = {"cells": len(cells), "claims": checks, "all_degrades": degradation(table),
               "length": lengths, "noise_floor": floor}
    report({"cells": summary["cells"], "all_degrades": summary["all_degrades"], "length": lengths,
            "noise_floor": floor}, None)
    if args.plot:
        plot_length(cells, lengths["aw_vs_answer_chars"], args.plot)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, default=float))


if __name__ == "__main__":
    main()

"""The paper's claims, checked on finished sweep folders (the tiny-scale reproduction of docs/results-tiny.md).

    python benchmarks/tiny_claims.py runs/tiny-table1 runs/tiny-budget [--budget 0.3] [--json claims.json]

Reads every cell's ``result.json`` and ``plan/diagnostics.json`` (no MLflow needed) and prints:

* AW, WR and LC per (strategy, conflict level) at the Table-1 budget: mean ± sample std over seeds;
* each claim of the paper as a paired comparison over seeds (cells of one seed share their pairs,
  PD and baseline, so the seed is the pairing unit): mean difference, its std, the paired t
  statistic and two-sided p-value, and whether the difference exceeds the noise (p < 0.05);
* what the strategies selected and what the trained policies write: the selected pairs' conflict
  rate and chosen - rejected length (words), and the policies' mean answer length.

The last line is JSON.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from pdbench.leaderboard import table_cells

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
    rows = []
    for folder in folders:
        for result_file in sorted(Path(folder).glob("*/result.json")):
            result = json.loads(result_file.read_text())
            config, pairwise = result["config"], result["pairwise"]
            diagnostics_file = result_file.parent / "plan" / "diagnostics.json"
            selected = json.loads(diagnostics_file.read_text())["selection"]["selected"] if diagnostics_file.exists() else {}
            alpaca = result.get("alpaca_eval") or {}
            rows.append({
                "strategy": config["strategy"], "conflict": config["conflict"], "budget": config["budget"],
                "seed": config["seed"], "aw": pairwise["aw"], "wr": alpaca.get("win_rate"),
                "lc": alpaca.get("length_controlled_winrate"),
                "answer_words": np.mean([s["avg_length"] for s in pairwise["sets"].values()]),
                "selected_conflict_rate": selected.get("conflict_rate"),
                "selected_delta_len": selected.get("delta_len_mean"),
            })
    # A cell may sit in two sweeps (the budget curve repeats λ = 0.3): keep one copy.
    return pd.DataFrame(rows).drop_duplicates(["strategy", "conflict", "budget", "seed"])


def summary_table(cells: pd.DataFrame) -> pd.DataFrame:
    """mean ± sample std over seeds of AW / WR / LC and the diagnostics, per (strategy, conflict)."""
    metrics = ["aw", "wr", "lc", "answer_words", "selected_conflict_rate", "selected_delta_len"]
    grouped = cells.groupby(["strategy", "conflict"])
    table = grouped[metrics].agg(["mean", "std"])
    table[("seeds", "n")] = grouped.size()
    return table


def by_seed(cells: pd.DataFrame, strategy: str, conflict: float, metric: str) -> pd.Series:
    """``metric`` of one strategy at one conflict level, indexed by seed."""
    rows = cells[(cells["strategy"] == strategy) & np.isclose(cells["conflict"], conflict)]
    return rows.set_index("seed")[metric]


def paired(a: pd.Series, b: pd.Series) -> dict | None:
    """a - b over the seeds both have: mean, sample std, paired t, two-sided p, n (None under two seeds)."""
    diff = (a - b).dropna()
    if len(diff) < 2:
        return None
    mean, std = float(diff.mean()), float(diff.std(ddof=1))
    if std == 0:
        t, p = (np.inf if mean else 0.0), (0.0 if mean else 1.0)
    else:
        t = float(mean / (std / np.sqrt(len(diff))))
        p = float(2 * stats.t.sf(abs(t), len(diff) - 1))
    return {"mean_diff": mean, "std_diff": std, "t": t, "p": p, "n": len(diff)}


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
                checks.append({"claim": claim, "conflict": conflict, "metric": metric, **result, "verdict": verdict})
    return checks


def degradation(cells: pd.DataFrame, strategy: str = "all") -> dict | None:
    """Does ``strategy`` degrade as conflict rises? Its AW at the lowest minus the highest level, paired by seed."""
    levels = sorted(cells.loc[cells["strategy"] == strategy, "conflict"].unique())
    if len(levels) < 2:
        return None
    result = paired(by_seed(cells, strategy, levels[0], "aw"), by_seed(cells, strategy, levels[-1], "aw"))
    if result is None:
        return None
    return {"levels": [levels[0], levels[-1]], "aw_drop": result["mean_diff"], "std": result["std_diff"],
            "t": result["t"], "p": result["p"], "n": result["n"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dirs", nargs="+", type=Path)
    parser.add_argument("--budget", type=float, default=0.3, help="Table 1's selection budget")
    parser.add_argument("--json")
    args = parser.parse_args()

    cells = load_cells(args.sweep_dirs)
    table = table_cells(cells, args.budget)
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.precision", 3):
        print(f"{len(cells)} cells; Table 1 at λ = {args.budget}: mean / std over seeds\n")
        print(summary_table(table).round(3).to_string(), "\n")
        checks = pd.DataFrame(check_claims(table))
        print(checks.round(3).to_string(index=False), "\n")
        curve = cells[cells["strategy"].isin(["rand", "high", "mid", "ours"]) & np.isclose(cells["conflict"], 0.3)]
        print("budget curve at conflict 0.3 (AW mean / std):")
        print(curve.groupby(["strategy", "budget"])["aw"].agg(["mean", "std", "size"]).unstack("budget").round(3).to_string(), "\n")
    summary = {"cells": len(cells), "claims": checks.to_dict("records"), "all_degrades": degradation(table)}
    report({"cells": summary["cells"], "all_degrades": summary["all_degrades"]}, None)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, default=float))


if __name__ == "__main__":
    main()

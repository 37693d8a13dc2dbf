"""The leaderboard's comparisons: every pair of strategies, paired by seed, with what the seeds can detect.

A table of means ± std cannot say whether two strategies differ: their seeds share data, PD scores and
baseline, so the spread that matters is that of the per-seed *difference*. For each pair of strategies that
ran at the same setup, conflict level and budget (a strategy that ignores the budget pairs with any), on the
seeds both ran, this prints the mean difference with its 95 % CI and p-value, the minimum detectable
difference for those seeds (``pdbench.leaderboard.power``), and how many seeds a target difference would need
with this spread as the pilot. Written as ``comparisons.md`` / ``comparisons.csv`` beside Table 1.

A seed pairs two cells fairly only if both trained in the same arithmetic: ``train.precision: auto`` resolves
per machine (bf16 where the CPU or GPU multiplies it natively, else fp32), so on a mixed cluster a pair's
difference can mix the strategy with the numerics. ``mixed`` counts such seeds and the Markdown says which pairs
have any; pin ``train.precision`` (or run a seed's cells on one kind of machine) to avoid it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from pdbench.infra.fileio import write_text, write_with
from pdbench.leaderboard.power import ALPHA, POWER, paired_difference

TARGET = 0.05
"""The difference whose seed count the table shows unless told otherwise (issue 27: 0.05 AW)."""
COLUMNS = ["setup", "conflict", "budget", "a", "b", "seeds", "diff", "ci_low", "ci_high", "p", "sd", "mdd",
           "seeds_for_target", "mixed"]


def comparisons(cells: pd.DataFrame, metric: str = "aw", compare: tuple[str, ...] = (), target: float = TARGET) -> pd.DataFrame:
    """One row per compared pair of strategies: ``a - b`` on ``metric`` paired by seed (``COLUMNS``).

    ``cells`` has one row per cell (setup, strategy, conflict, budget: NaN for strategies that ignore it, seed,
    ``metric``, optionally ``precision``), as ``table.select_cells`` keeps them. With ``compare``, only pairs that
    involve one of those strategies, which is then ``a``; otherwise every pair, ``a`` the one with the higher mean
    so each row reads "a beats b by ...". Pairs sharing fewer than two seeds have no spread and are left out.
    """
    if metric not in cells or cells.empty:
        return pd.DataFrame(columns=COLUMNS)
    cells = cells.assign(setup=cells["setup"] if "setup" in cells else "all runs")
    rows = []
    for (setup, conflict), level in cells.groupby(["setup", "conflict"]):
        by_seed = {arm: frame.set_index("seed") for arm, frame in level.groupby(["strategy", "budget"], dropna=False)}
        arms = {arm: frame[metric] for arm, frame in by_seed.items()}
        for (first, second) in itertools.combinations(sorted(arms, key=str), 2):
            pair = _ordered(first, second, arms, compare)
            if pair is None:
                continue
            (a, a_budget), (b, b_budget) = pair
            test = paired_difference(arms[pair[0]], arms[pair[1]])
            if test is None:
                continue
            budget = a_budget if pd.notna(a_budget) else b_budget
            rows.append({"setup": setup, "conflict": conflict, "budget": budget, "a": a, "b": b, "seeds": test.n,
                         "diff": test.mean, "ci_low": test.ci_low, "ci_high": test.ci_high, "p": test.p, "sd": test.sd,
                         "mdd": test.mdd, "seeds_for_target": test.seeds_for(target),
                         "mixed": _mixed_seeds(by_seed[pair[0]].get("precision"), by_seed[pair[1]].get("precision"))})
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.astype({"seeds_for_target": "Int64", "mixed": int})
    return table.sort_values(["setup", "conflict", "budget", "a", "b"], na_position="first").reset_index(drop=True)


def _ordered(first: tuple, second: tuple, arms: dict, compare: tuple[str, ...]) -> tuple | None:
    """The pair as (a, b), or None when it is not compared: the same strategy, budgets that differ, or (with
    ``compare``) neither strategy asked for."""
    (name_1, budget_1), (name_2, budget_2) = first, second
    if name_1 == name_2 or (pd.notna(budget_1) and pd.notna(budget_2) and budget_1 != budget_2):
        return None
    if compare:
        if name_1 in compare:
            return first, second
        return (second, first) if name_2 in compare else None
    return (first, second) if arms[first].mean() >= arms[second].mean() else (second, first)


def _mixed_seeds(a: pd.Series | None, b: pd.Series | None) -> int:
    """How many seeds pair two cells whose policies trained in different arithmetic (unknown on either side: not
    counted)."""
    if a is None or b is None:
        return 0
    both = pd.concat([a, b], axis=1, join="inner").dropna()
    return int((both.iloc[:, 0] != both.iloc[:, 1]).sum())


def comparisons_markdown(table: pd.DataFrame, metric: str = "AW", target: float = TARGET) -> str:
    """The comparisons as a Markdown table with a legend; one line saying so when there are none."""
    head = (f"Paired comparisons on {metric}: a - b over the seeds both ran (a seed's cells share data, PD scores "
            f"and baseline); 95% CI and p from the paired t-test; MDD = the smallest true difference these seeds "
            f"detect (two-sided α {ALPHA:g}, power {POWER:g}); seeds for {target:g} = the seeds that difference needs "
            "at this spread.")
    if table.empty:
        return head + "\n\nNo comparison: no two strategies share two seeds at the same setup, conflict level and budget.\n"
    show_setup = table["setup"].nunique() > 1
    header = (["setup"] if show_setup else []) + ["CL", "λ", "a", "b", "seeds", "a - b", "95% CI", "p", "MDD",
                                                  f"seeds for {target:g}"]
    lines = [head, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.itertuples(index=False):
        cells = ([str(row.setup)] if show_setup else []) + [
            f"{row.conflict:.0%}", "" if pd.isna(row.budget) else f"{row.budget:g}", row.a, row.b, str(row.seeds),
            f"{row.diff:+.3f}", f"[{row.ci_low:+.3f}, {row.ci_high:+.3f}]", f"{row.p:.3f}", f"{row.mdd:.3f}",
            "–" if pd.isna(row.seeds_for_target) else str(row.seeds_for_target)]
        lines.append("| " + " | ".join(cells) + " |")
    mixed = table[table["mixed"] > 0]
    if len(mixed):
        pairs = "; ".join(f"{row.a} vs {row.b} at {row.conflict:.0%}: {row.mixed} of {row.seeds}"
                          for row in mixed.itertuples(index=False))
        lines += ["", f"Mixed arithmetic: some seeds pair cells whose policies trained in different precision "
                      f"(bf16 vs fp32, `train.precision: auto` on different machines), so those differences mix the "
                      f"strategy with the numerics — {pairs}. Pin `train.precision` to compare them cleanly."]
    return "\n".join(lines) + "\n"


def write_comparisons(cells: pd.DataFrame, out: Path, compare: tuple[str, ...] = (), target: float = TARGET) -> list[Path]:
    """``comparisons.md`` and ``comparisons.csv`` (AW) into ``out``; returns them."""
    table = comparisons(cells, "aw", compare, target)
    files = [Path(out) / "comparisons.md", Path(out) / "comparisons.csv"]
    write_text(files[0], comparisons_markdown(table, "AW", target))
    write_with(files[1], lambda p: table.to_csv(p, index=False))
    return files

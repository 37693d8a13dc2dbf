"""The pre-registered predictions of docs/experiments/powered-comparisons.md, judged on finished cells.

    python benchmarks/powered_verdicts.py ROOT [--json verdicts.json]

ROOT holds ``decoupled/`` and ``default/`` (as docs/experiments/powered-comparisons/cells/ keeps them) or
``powered-decoupled/`` and ``powered-default/`` (as the experiment's driver writes them), each a folder of cells
holding ``result.json``. For every prediction Q1-Q6, exactly as committed before any of its cells ran, it prints
the paired AW difference over the planned seeds that finished (``pdbench.leaderboard.power``: mean, 95 % CI, p,
the minimum detectable difference of those seeds and whether it meets the design's 0.05), the verdict by the
pre-registered rule, the same comparison on AW against the shared SFT reference (the world's WR / 50:
secondary, not judged) and the behavioural signature (filler sentences per answer and answer length, from each
result's ``behaviour``; reported, not judged); per world, the arithmetic each seed's cells trained in (reported,
not judged: ``auto`` precision is bf16 or fp32 by machine, and a seed's cells must share it). The rule:

* a directional prediction (> or <) **holds** when the difference has the predicted sign and p < 0.05 (paired
  t, two-sided), is **reversed** when it has the other sign and p < 0.05, and is **not shown** otherwise; a not
  shown comparison whose MDD is at most 0.05 is a powered null (a true difference of 0.05 or more would have
  shown with probability 0.8), one whose MDD is larger is underpowered;
* an equivalence prediction (≈) **holds** when the 90 % CI of the difference lies within ±0.05 (two one-sided
  tests at 0.05), **misses** when p < 0.05, and is **inconclusive** otherwise;
* with fewer than the planned seeds the verdict says how many finished (a run stopped by its budget reports
  what it reached, never more seeds than planned). The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from pdbench.leaderboard.folders import folder_cells
from pdbench.leaderboard.power import paired_difference, seeds_needed
from pdbench.results import BEHAVIOUR

MARGIN = 0.05
"""The difference the design is powered for, and the equivalence margin."""
PLANNED_SEEDS = {"decoupled": tuple(range(3, 15)), "default": tuple(range(3, 9))}
"""Fresh seeds only: seeds 0-2 of both worlds are the pilot whose numbers set the design."""
PREDICTIONS = [
    # (id, world, A, B, predicted sign of AW(A) - AW(B): +1, -1 or 0 for "within ±0.05", signature)
    ("Q1", "decoupled", "ours", "rand", +1, "ours' policy writes less filler per answer than rand's"),
    ("Q2", "decoupled", "ours", "all", +1, "ours' answers are shorter than all's"),
    ("Q3", "decoupled", "high", "sft", +1, "high's policy writes less filler per answer than SFT"),
    ("Q4", "default", "ours", "rand", 0, "filler per answer within 0.05 sentences of each other"),
    ("Q5", "default", "ours", "all", -1, "all's policy writes less filler per answer than ours'"),
    ("Q6", "default", "high", "sft", +1, "high's policy writes less filler and shorter answers than SFT"),
]
SIGNATURE = ("filler", "length_words")


def load(root: Path, world: str) -> pd.DataFrame:
    """The world's finished cells (``folder_cells``) with AW against SFT (WR / 50) and the behaviour rates."""
    folder = next((f for f in (root / f"powered-{world}", root / world) if f.is_dir()), None)
    empty = pd.DataFrame(columns=["strategy", "seed", "aw", "wr", "precision", "folder"])
    cells = folder_cells([folder]) if folder else empty
    # precision: the arithmetic the cell's policy trained in (RunResult.precision; auto resolves per machine)
    cells = cells.assign(aw_sft=cells["wr"] / 50, precision=cells["precision"].fillna("unknown"))
    for name in SIGNATURE:
        cells[name] = cells.get(f"{BEHAVIOUR}{name}")
    return cells


def seed_arithmetic(cells: pd.DataFrame) -> str:
    """Per seed, the arithmetic its cells trained in: a seed's cells are compared with each other, so a seed
    whose cells trained in different arithmetic is flagged (its comparisons mix two numerics)."""
    per_seed = cells.groupby("seed")["precision"].agg(lambda names: "/".join(sorted(set(names))))
    return ", ".join(f"s{seed} {name}" + (" (MIXED)" if "/" in name else "") for seed, name in per_seed.items())


def rule(sign: int, test, test90) -> str:
    """The pre-registered verdict of one comparison (see the module docstring)."""
    if sign == 0:
        if test.p < 0.05:
            return "miss (differs)"
        inside = -MARGIN < test90.ci_low and test90.ci_high < MARGIN
        return f"holds (equivalent within ±{MARGIN:g})" if inside else "inconclusive"
    if test.p < 0.05:
        return "holds" if (test.mean > 0) == (sign > 0) else "reversed"
    power = "powered null" if test.mdd <= MARGIN else f"underpowered: MDD {test.mdd:.3f}"
    return f"not shown ({power})"


def judge(prediction: tuple, cells: pd.DataFrame) -> dict:
    """One prediction's verdict, numbers, secondary comparison and signature."""
    pid, world, a, b, sign, signature = prediction
    planned = PLANNED_SEEDS[world]
    series = {(who, metric): cells[(cells["strategy"] == who) & cells["seed"].isin(planned)].set_index("seed")[metric]
              for who in (a, b) for metric in ("aw", "aw_sft", *SIGNATURE)}
    out = {"id": pid, "world": world, "comparison": f"{a} vs {b}", "predicted": {1: ">", -1: "<", 0: "≈"}[sign],
           "signature": signature, "planned_seeds": len(planned)}
    test = paired_difference(series[(a, "aw")], series[(b, "aw")])
    if test is None:
        return {**out, "verdict": "not run (under two seeds)"}
    test90 = paired_difference(series[(a, "aw")], series[(b, "aw")], confidence=0.90)
    secondary = paired_difference(series[(a, "aw_sft")], series[(b, "aw_sft")])
    verdict = rule(sign, test, test90)
    if test.n < len(planned):
        verdict += f" — {test.n} of {len(planned)} planned seeds"
    return {**out, "verdict": verdict, "seeds": test.n, "aw": test.to_dict(), "ci90": [test90.ci_low, test90.ci_high],
            "design_met": test.mdd <= MARGIN, "seeds_for_0.05": seeds_needed(MARGIN, test.sd),
            "aw_sft": secondary.to_dict() if secondary else None,
            "behaviour": {who: {name: float(series[(who, name)].mean()) for name in SIGNATURE} for who in (a, b)}}


def format_verdict(v: dict) -> str:
    """Three or four lines per prediction."""
    head = f"{v['id']} {v['world']}: {v['comparison']} predicted {v['predicted']}  ->  {v['verdict']}"
    if "aw" not in v:
        return head
    aw = v["aw"]
    lines = [head, f"    AW {aw['mean']:+.3f} [{aw['ci_low']:+.3f}, {aw['ci_high']:+.3f}] p {aw['p']:.3f} over {aw['n']} "
                   f"seeds; MDD {aw['mdd']:.3f} ({'meets' if v['design_met'] else 'misses'} the design's {MARGIN:g}; "
                   f"0.05 needs {v['seeds_for_0.05']} seeds at this spread)"]
    if v["aw_sft"]:
        s = v["aw_sft"]
        lines.append(f"    AW vs SFT (WR/50, secondary) {s['mean']:+.3f} [{s['ci_low']:+.3f}, {s['ci_high']:+.3f}] "
                     f"p {s['p']:.3f}; MDD {s['mdd']:.3f}")
    a, b = v["comparison"].split(" vs ")
    lines.append(f"    signature ({v['signature']}): " + "  ".join(
        f"{name} {v['behaviour'][a][name]:.2f}/{v['behaviour'][b][name]:.2f}" for name in SIGNATURE))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--json")
    args = parser.parse_args()
    cells = {world: load(args.root, world) for world in PLANNED_SEEDS}
    for world, found in cells.items():
        print(f"{world}: {len(found)} finished cells, seeds {sorted(set(found['seed']))}; trained in "
              f"{seed_arithmetic(found) if len(found) else '-'}")
    verdicts = [judge(prediction, cells[prediction[1]]) for prediction in PREDICTIONS]
    print("\n".join(format_verdict(v) for v in verdicts))
    if args.json:
        Path(args.json).write_text(json.dumps(verdicts, indent=2))
    print(json.dumps(verdicts))


if __name__ == "__main__":
    main()

"""What each strategy's training pairs teach on each world variant, before any policy is trained.

    python benchmarks/world_variants.py [--variants world:no_length_bias,...] [--seeds 0,1,2]
                                        [--conflict 0.3] [--budget 0.3] [--json out.json]

For every variant and seed: the pair table's gold diagnostics (conflicting vs consistent pairs,
``pdbench.world.profile``), then for each strategy the pairs it would train on (relabelled as
trained) — their conflict rate, agreement with the gold rubric, and chosen − rejected of each
rubric property and of length. This is the evidence the pre-registration of
docs/experiments/world-variants.md predicts from: it needs PD estimation (proxy reward models on
sentence embeddings, minutes on a CPU) but no DPO. The last line is JSON.
"""

import argparse
import json
from pathlib import Path

from pdbench.selection.context import StrategyContext
from pdbench.data.loading import load_records
from pdbench.data.pairs import build_pairs
from pdbench.pipeline.diagnostics import taught_by
from pdbench.selection.planning import make_plan
from pdbench.pipeline.config import resolve_config

STRATEGIES = ("overall", "all", "rand", "ours", "high")
"""The trained strategies of the experiment (``sft`` trains on nothing)."""
STYLE_COST = {"filler_delta": -0.25, "hedged_delta": -0.5, "fabricated_delta": -1.0, "format_kept_delta": 0.75}
"""What one unit of each learnable style property is worth on the gold rubric's mean rating, for a right
answer (pdbench/world/rubric.py): a filler sentence costs instruction following a point (-0.25 of the
mean), hedging helpfulness and honesty a point each (-0.5), a fabrication truthfulness and honesty two
each (-1.0), a broken format caps instruction following at 2 (-0.75). The pre-registered model: a
135M policy learns these style patterns from a few hundred pairs but hardly the substance, so a
selection's *learnable push* = pairs x sum of STYLE_COST x (chosen - rejected) predicts its AW order."""
ROW = ("pairs", "agrees", "disagrees", "gold_delta", "words_delta", "correct_delta", "filler_delta", "hedged_delta",
       "fabricated_delta", "format_kept_delta")


def taught_rows(variant: str, seed: int, conflict: float, budget: float, world_prompts: int | None = None) -> dict:
    """{"pairs:conflicting" / "pairs:consistent" / STRATEGY: gold diagnostics row} for one variant and seed
    (``world_prompts``: the tiny preset's unless given)."""
    config = resolve_config("tiny", dataset=variant, seed=seed, conflict=conflict, budget=budget,
                            world_prompts=world_prompts)
    pairs, _ = build_pairs(load_records(variant, world_prompts=config.world_prompts), conflict, seed=seed)
    context = StrategyContext(pairs, seed=seed, pd_config=config.pd)
    rows = {}
    for strategy in STRATEGIES:
        plan = make_plan(strategy, pairs, budget, context)
        taught = taught_by(pairs, plan)
        rows[strategy] = {**{k: taught["all"][k] for k in ROW},
                          "conflict_rate": float(pairs.iloc[list(plan.rows)]["is_conflict"].mean())}
        if strategy == "all":
            rows["pairs:conflicting"] = {k: taught["conflicting"][k] for k in ROW}
            rows["pairs:consistent"] = {k: taught["consistent"][k] for k in ROW}
    for row in rows.values():
        row["style_gold"] = sum(cost * (row[key] or 0.0) for key, cost in STYLE_COST.items())
        row["learnable_push"] = row["pairs"] * row["style_gold"]
    return rows


def format_rows(rows: dict) -> str:
    """The rows as a table: pairs, conflict rate, gold agreement, chosen - rejected differences."""
    header = f"{'':<18}{'n':>5}{'confl':>7}{'agree':>7}{'gold':>7}{'words':>7}{'correct':>9}{'filler':>8}{'hedged':>8}{'fabric':>8}{'format':>8}{'style':>7}{'push':>7}"
    lines = [header]
    for name, row in rows.items():
        def cell(key, width, spec):
            value = row.get(key)
            return f"{'-' if value is None else format(value, spec):>{width}}"
        lines.append(f"{name:<18}{row['pairs']:>5}{cell('conflict_rate', 7, '.2f')}{cell('agrees', 7, '.0%')}"
                     f"{cell('gold_delta', 7, '+.2f')}{cell('words_delta', 7, '+.1f')}{cell('correct_delta', 9, '+.2f')}"
                     f"{cell('filler_delta', 8, '+.2f')}{cell('hedged_delta', 8, '+.2f')}{cell('fabricated_delta', 8, '+.2f')}"
                     f"{cell('format_kept_delta', 8, '+.2f')}{cell('style_gold', 7, '+.2f')}{cell('learnable_push', 7, '+.0f')}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="world,world:no_length_bias,world:decoupled,world:positive_control")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--conflict", type=float, default=0.3)
    parser.add_argument("--budget", type=float, default=0.3)
    parser.add_argument("--json")
    args = parser.parse_args()
    summary = {}
    for variant in args.variants.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            rows = taught_rows(variant, seed, args.conflict, args.budget)
            print(f"== {variant}  seed {seed}  conflict {args.conflict}  budget {args.budget}", flush=True)
            print(format_rows(rows), flush=True)
            summary[f"{variant}/seed{seed}"] = rows
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

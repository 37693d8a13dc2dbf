"""Time `pdbench select --strategy ours` on the world with the embedding backend, stage by stage.

    python benchmarks/select_timing.py [--conflict 0.3] [--budget 0.3] [--json out.json]

Runs in a fresh cache (so nothing is reused) and prints: data build, encoder load + embedding,
reward-model training, scoring, selection; plus the conflict rates of ours / rand / high and the
per-aspect reward-model accuracies. The last line is JSON.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conflict", type=float, default=0.3)
    parser.add_argument("--budget", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()
    with scratch_cache():  # a fresh one: time the reward models, not cache hits
        summary = measure(args)
    report(summary, args.json)


def measure(args: argparse.Namespace) -> dict:
    """Build the pairs, select with ours/rand/high/mid and return the timings and conflict rates."""
    from pdbench.selection.context import StrategyContext
    from pdbench.data.loading import load_records
    from pdbench.data.pairs import build_pairs
    from pdbench.selection.planning import make_plan

    started = time.perf_counter()
    pairs, _ = build_pairs(load_records("world"), args.conflict, seed=args.seed)
    data_s = time.perf_counter() - started
    context = StrategyContext(pairs, seed=args.seed)
    started = time.perf_counter()
    plans = {name: make_plan(name, pairs, args.budget, context) for name in ("ours", "rand", "high", "mid")}
    select_s = time.perf_counter() - started
    seconds = context.pd.meta["seconds"]
    rates = {name: float(pairs.iloc[list(plan.rows)]["is_conflict"].mean()) for name, plan in plans.items()}
    return {
        "pairs": len(pairs),
        "data_s": round(data_s, 2),
        "rm_training_s": round(seconds["rm_training"], 2),
        "scoring_s": round(seconds["scoring"], 2),
        "encoder_load_and_selection_s": round(select_s - seconds["rm_training"] - seconds["scoring"], 2),
        "total_s": round(data_s + select_s, 2),
        "conflict_rate_all": float(pairs["is_conflict"].mean()),
        "conflict_rate_selected": rates,
        "rm_accuracy": context.pd.meta["rm_accuracy"],
    }


if __name__ == "__main__":
    main()

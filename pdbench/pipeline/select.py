"""``pdbench select``: a strategy's training pairs, exported for any trainer, from the run's own cached pair stage.

The pairs come from the same cached stage as ``pdbench run`` (same dataset, world size, conflict and
seed give the same table), so a selection exported here is the one a run with that configuration
trains on.
"""

from __future__ import annotations

import time
from pathlib import Path

from pdbench.pipeline.config import RunConfig
from pdbench.pipeline.stages import pairs_stage
from pdbench.selection.context import StrategyContext
from pdbench.selection.planning import export_plan, make_plan
from pdbench.selection.registry import get_strategy


def select_pairs(config: RunConfig, out: Path, strategy_paths=()) -> dict:
    """Run ``config.strategy`` on the configuration's pair table and write ``out/train.jsonl`` and the artifacts
    it used; returns a summary (sizes, conflict rates, seconds, files written)."""
    get_strategy(config.strategy, strategy_paths)  # an unknown or broken strategy fails before the data is built
    started = time.perf_counter()
    pairs, _ = pairs_stage(config)
    built = time.perf_counter()
    context = StrategyContext(pairs, seed=config.seed, pd_config=config.pd)
    plan = make_plan(config.strategy, pairs, config.budget, context, strategy_paths)
    planned = time.perf_counter()
    written = export_plan(pairs, plan, context, Path(out))
    kept = pairs.iloc[list(plan.rows)]
    return {
        "strategy": config.strategy, "rows": len(plan.rows), "pairs": len(pairs), "relabelled": len(plan.relabel),
        "objective": plan.objective,
        "selected_conflict_rate": float(kept["is_conflict"].mean()) if len(kept) else float("nan"),
        "conflict_rate": float(pairs["is_conflict"].mean()),
        "seconds": {"data": built - started, "strategy": planned - built},
        # Shared artifacts record what they cost when first computed (a cache hit costs ~0 here).
        "artifact_seconds": {name: getattr(context, name).meta.get("seconds") or {} for name in sorted(context.used)},
        "written": [str(p) for p in written],
    }


def format_selection(summary: dict) -> str:
    """The summary as the lines ``pdbench select`` prints."""
    lines = [f"{summary['strategy']}: {summary['rows']} of {summary['pairs']} pairs, {summary['relabelled']} relabelled, "
             f"objective {summary['objective']}; conflict rate of the selection "
             f"{summary['selected_conflict_rate']:.3f} (all pairs {summary['conflict_rate']:.3f})",
             f"time: data {summary['seconds']['data']:.1f}s, strategy {summary['seconds']['strategy']:.1f}s"]
    for name, seconds in summary["artifact_seconds"].items():
        if seconds:
            lines.append(f"  {name}: " + ", ".join(f"{k} {v:.1f}s" for k, v in seconds.items()) + " (when first computed)")
    lines.append("wrote " + ", ".join(summary["written"]))
    return "\n".join(lines)

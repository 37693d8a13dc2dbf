"""``pdbench select``: a strategy's training pairs, exported for any trainer, by the run's own cached stages.

The pairs come from the same cached stage as ``pdbench run`` (same dataset, world size, conflict and
seed give the same table) and the selection from the same selection stage, so a selection exported
here is the one a run with that configuration trains on.
"""

from __future__ import annotations

import time
from pathlib import Path

from pdbench.pipeline.config import RunConfig
from pdbench.pipeline.stages import pairs_stage, selection_stage
from pdbench.selection.registry import get_strategy


def select_pairs(config: RunConfig, out: Path, strategy_paths=()) -> dict:
    """Run ``config.strategy`` on the configuration's pair table and write ``out/train.jsonl`` and the artifacts
    it used; returns a summary (sizes, conflict rates, seconds, files written)."""
    get_strategy(config.strategy, strategy_paths)  # an unknown or broken strategy fails before the data is built
    started = time.perf_counter()
    pairs, pairs_record = pairs_stage(config)
    built = time.perf_counter()
    selection = selection_stage(config, pairs, out, strategy_paths)
    plan = selection.plan
    kept = pairs.iloc[list(plan.rows)]
    return {
        "strategy": config.strategy, "rows": len(plan.rows), "pairs": len(pairs), "relabelled": len(plan.relabel),
        "objective": plan.objective,
        "selected_conflict_rate": float(kept["is_conflict"].mean()) if len(kept) else float("nan"),
        "conflict_rate": float(pairs["is_conflict"].mean()),
        "seconds": {"data": built - started, "strategy": selection.wall},
        # Shared artifacts record what they cost when first computed (a cache hit costs ~0 here).
        "artifact_seconds": selection.cost["parts"],
        "written": [str(p) for p in selection.files],
        "data": {"cached": pairs_record["cached"], "note": pairs_record.get("note", "")},
    }


def format_selection(summary: dict) -> str:
    """The summary as the lines ``pdbench select`` prints."""
    lines = [f"{summary['strategy']}: {summary['rows']} of {summary['pairs']} pairs, {summary['relabelled']} relabelled, "
             f"objective {summary['objective']}; conflict rate of the selection "
             f"{summary['selected_conflict_rate']:.3f} (all pairs {summary['conflict_rate']:.3f})",
             f"time: data {summary['seconds']['data']:.1f}s ({_data_outcome(summary['data'])}), "
             f"strategy {summary['seconds']['strategy']:.1f}s"]
    by_artifact: dict[str, list[str]] = {}
    for part, seconds in summary["artifact_seconds"].items():  # "pd.rm_training" -> pd: rm_training ...
        name, what = part.split(".", 1)
        by_artifact.setdefault(name, []).append(f"{what} {seconds:.1f}s")
    lines += [f"  {name}: {', '.join(parts)} (when first computed)" for name, parts in sorted(by_artifact.items())]
    lines.append("wrote " + ", ".join(summary["written"]))
    return "\n".join(lines)


def _data_outcome(data: dict) -> str:
    """How the pairs came: reused from the cache, or computed (and why, when that is news)."""
    return "reused from cache" if data["cached"] else "computed" + (f": {data['note']}" if data["note"] else "")

"""From a strategy name to a validated Plan, and from a Plan to files any trainer can read."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pdbench.selection.context import StrategyContext
from pdbench.infra.fileio import write_with
from pdbench.selection.plan import Plan, PlanError, validate_plan
from pdbench.selection.registry import get_strategy

ARTIFACT_FILES = {
    "pd": "pd.parquet",
    "pd_without_length_mitigation": "pd_a2.parquet",
    "pd_from_ratings": "pd_ratings.parquet",
    "unified": "unified_gap.parquet",
}
"""Context artifact -> the file ``export_plan`` writes it to when the strategy used it."""


def make_plan(
    name: str, pairs: pd.DataFrame, budget: float, context: StrategyContext, strategy_paths: Iterable[str] = ()
) -> Plan:
    """Run strategy ``name`` and validate its Plan, determinism included (it is asked twice)."""
    info = get_strategy(name, strategy_paths)
    strategy = info.factory()
    plan = validate_plan(strategy.plan(pairs, budget, context), len(pairs), budget, info.kind, name, info.budgeted)
    # Artifacts are cached, so the second call is cheap; a strategy that draws from a global
    # RNG instead of context.rng() is caught here.
    if info.factory().plan(pairs, budget, context) != plan:
        raise PlanError(f"strategy '{name}' is not deterministic: the same seed gave two different Plans")
    return plan


def planned_pairs(pairs: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The pairs to train on; relabelled rows have chosen and rejected (and their columns) swapped."""
    rows = list(plan.rows)
    selected = pairs.iloc[rows].reset_index(drop=True)
    flip = pd.Series([r in plan.relabel for r in rows])
    swapped = selected.copy()
    # Swap the texts and every per-response column (ratings, scores, lengths) together.
    for chosen in [c for c in selected if c == "chosen" or c.startswith("chosen_")]:
        rejected = "rejected" + chosen[len("chosen"):]
        if rejected in selected:
            swapped.loc[flip, chosen], swapped.loc[flip, rejected] = selected.loc[flip, rejected], selected.loc[flip, chosen]
    swapped["relabelled"] = flip.to_numpy()
    if plan.pd_term is not None:
        swapped["pd_term"] = list(plan.pd_term)
    return swapped


def to_trl_records(selected: pd.DataFrame) -> pd.DataFrame:
    """TRL's conversational preference format: prompt / chosen / rejected as message lists."""
    columns = {
        "prompt": [[{"role": "user", "content": p}] for p in selected["prompt"]],
        "chosen": [[{"role": "assistant", "content": c}] for c in selected["chosen"]],
        "rejected": [[{"role": "assistant", "content": r}] for r in selected["rejected"]],
        "pair_id": selected["pair_id"].to_numpy(),
        "aspect": selected["aspect"].to_numpy(),
        "is_conflict": selected["is_conflict"].to_numpy(),
        "relabelled": selected["relabelled"].to_numpy(),
    }
    if "pd_term" in selected:
        columns["pd_term"] = selected["pd_term"].to_numpy()
    return pd.DataFrame(columns)


def export_plan(pairs: pd.DataFrame, plan: Plan, context: StrategyContext, out: Path) -> list[Path]:
    """Write the Plan's pairs as TRL JSONL (``train.jsonl``) and every artifact the strategy used (what the
    selection is and teaches is the pipeline's to report: ``pdbench.pipeline.diagnostics``)."""
    out = Path(out)
    written = [out / "train.jsonl"]
    records = to_trl_records(planned_pairs(pairs, plan))
    write_with(written[0], lambda p: records.to_json(p, orient="records", lines=True, force_ascii=False))
    for artifact in sorted(context.used):
        path = out / ARTIFACT_FILES[artifact]
        table = getattr(context, artifact).table
        write_with(path, lambda p, t=table: t.to_parquet(p, index=False))
        written.append(path)
    return written

"""What a selection is and teaches, written beside its exported pairs: its conflict rate and length profile, the
PD diagnostics when the strategy used PD, and on the world what the trained-on pairs teach by the gold rubric.

The pipeline's report, not part of the strategy contract (``pdbench.selection``), which knows nothing of the world.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pdbench.infra.fileio import write_json
from pdbench.selection.context import StrategyContext
from pdbench.selection.plan import Plan
from pdbench.selection.planning import ARTIFACT_FILES, planned_pairs


def write_diagnostics(pairs: pd.DataFrame, plan: Plan, context: StrategyContext, out: Path) -> list[Path]:
    """Write ``out/diagnostics.json`` (``selection``, ``taught`` and one entry per PD artifact used) and the
    plots; returns the files written."""
    from pdbench.pd.diagnostics import plot_length_difference, selection_summary, write_pd_diagnostics

    out = Path(out)
    report = {"selection": selection_summary(pairs, plan.rows), "taught": taught_by(pairs, plan)}
    for artifact in sorted(context.used & {"pd", "pd_without_length_mitigation"}):
        prefix = ARTIFACT_FILES[artifact].removesuffix(".parquet")
        report[artifact] = write_pd_diagnostics(pairs, getattr(context, artifact), out, prefix)
    write_json(out / "diagnostics.json", report)
    written = [out / "diagnostics.json"]
    if plan.rows:
        plot_length_difference(pairs, {"selected": plan.rows}, out / "length_difference.png")
        written.append(out / "length_difference.png")
    return written


def taught_by(pairs: pd.DataFrame, plan: Plan) -> dict | None:
    """What the Plan's pairs, relabelled as they are trained on, teach against the world's gold rubric:
    ``pdbench.world.profile.pair_gold_diagnostics`` of them; None off the world or for an empty Plan."""
    from pdbench.world.profile import pair_gold_diagnostics

    return pair_gold_diagnostics(planned_pairs(pairs, plan)) if plan.rows else None

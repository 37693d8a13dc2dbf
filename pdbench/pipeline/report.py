"""What pdbench reports: a run's result table with its legend, and the leaderboard of the runs tracked in MLflow."""

from __future__ import annotations

from pathlib import Path

from pdbench.results import RunResult

BASELINES = {
    "sft": "the initial (SFT) policy",
    "overall": "the `overall` model (DPO on all pairs, labelled by their overall score)",
}
"""How the printed legend names a baseline."""


def format_result(result: RunResult) -> str:
    """Per-set table, AW ± std, WR / LC and device-hours, with a legend, as printed by ``pdbench run``."""
    from pdbench.eval.evaluate import format_table

    config = result.config
    baseline = BASELINES.get(config["baseline"], config["baseline"])
    lines = [f"strategy {config['strategy']}  conflict {config['conflict']}  budget {config['budget']}  seed {config['seed']}"
             f"  ({result.plan.rows} pairs, objective {result.plan.objective})",
             f"policy vs baseline = {baseline}, pairwise, judged in both orders:",
             format_table(result.pairwise)]
    alpaca = result.alpaca_eval
    if alpaca:
        reference = alpaca.get("reference", "GPT-4 turbo")
        lines.append(format_alpaca(alpaca))
        lines.append(f"  WR = % of prompts where the judge prefers the policy's answer to the reference's ({reference});"
                     " ties count half. LC = the same, length-controlled: the win rate predicted for answers as long"
                     " as the reference's. 50 = no better than the reference.")
    if result.behaviour:
        from pdbench.eval.behaviour import format_behaviour

        lines.append(format_behaviour(result.behaviour))
    hours = result.gpu_hours
    lines.append(f"{hours.unit}: sft {hours.sft or 0.0:.4f}  selection {hours.selection:.4f}  "
                 f"training {hours.training:.4f}  evaluation {hours.evaluation:.4f}  total {hours.total:.4f}"
                 "  (wall-clock x devices; Table 1's column is selection + training)")
    # Stages without a device did no work of their own (no SFT stage, a given baseline): nothing to reuse.
    reused = [name for name, cost in result.costs.items() if cost.get("cached") and cost.get("device") != "none"]
    if reused:
        lines.append(f"reused from cache: {', '.join(reused)}")
    return "\n".join(lines)


def format_alpaca(alpaca: dict) -> str:
    """The AlpacaEval line: WR and LC with the LC's kind and reference, how many annotations were read, and why
    when a number is missing or the LC is not the official one."""
    if alpaca.get("win_rate") is None:
        return f"AlpacaEval: no WR ({alpaca.get('note', 'no annotation')})"
    parts = [alpaca["lc_kind"], f"reference: {alpaca.get('reference', 'GPT-4 turbo')}"]
    if "annotated" in alpaca:
        parts.append(f"{alpaca['annotated']} of {alpaca['asked']} annotations read by {alpaca.get('annotator', '?')}")
    line = (f"AlpacaEval: WR {alpaca['win_rate']:.2f}  LC {alpaca['length_controlled_winrate']:.2f}"
            f"  ({'; '.join(parts)})")
    return line + (f"\n  {alpaca['note']}" if alpaca.get("note") else "")


def leaderboard_from_mlflow(experiment: str, parent_run_id: str | None, out: Path, budget: float | None = None,
                            compare: tuple[str, ...] = (), target: float | None = None) -> list[Path]:
    """Table 1 of the experiment's (or one sweep's) tracked cells and the strategies' paired comparisons
    (``compare``, ``target``: ``pdbench.leaderboard.comparisons``), written to ``out``; also logged to the sweep's
    parent run. Returns the files written. An unreachable tracking server is one line, after one quick request
    (``TrackingUnavailableError``), not MLflow's minutes of retries."""
    from pdbench.leaderboard.comparisons import TARGET
    from pdbench.leaderboard.table import runs_frame, write_leaderboard
    from pdbench.tracking.store import check_reachable, log_parent_artifacts, search_cell_runs

    check_reachable("there is no leaderboard to read")
    files = write_leaderboard(runs_frame(search_cell_runs(experiment, parent_run_id)), out, budget, compare,
                              TARGET if target is None else target)
    if parent_run_id:
        log_parent_artifacts(parent_run_id, files)
    return files


def comparisons_from_folders(folders, out: Path, compare: tuple[str, ...] = (), target: float | None = None) -> list[Path]:
    """The strategies' paired comparisons (``pdbench.leaderboard.comparisons``) of the finished cells in ``folders``
    (sweep or run folders; no MLflow), written to ``out``; what an untracked sweep prints. Returns the files."""
    from pdbench.leaderboard.comparisons import TARGET, write_comparisons
    from pdbench.leaderboard.folders import folder_cells
    from pdbench.leaderboard.table import select_cells

    cells = folder_cells(folders)
    if cells.empty:
        return []
    return write_comparisons(select_cells(cells)[0], out, compare, TARGET if target is None else target)


def format_power(sd: float, target: float, seeds: list[int]) -> str:
    """``pdbench power``: the minimum detectable difference at spread ``sd`` for each seed count in ``seeds``
    (those under two are skipped: one seed has no spread), and the seeds ``target`` needs."""
    from pdbench.leaderboard.power import ALPHA, MOST_SEEDS, POWER, minimum_detectable_difference, seeds_needed

    lines = [f"paired t-test, two-sided α {ALPHA:g}, power {POWER:g}, sd of the per-seed differences {sd:g}:"]
    lines += [f"  {n:>5} seeds detect {minimum_detectable_difference(sd, n):.3f}" for n in seeds if n >= 2]
    needed = seeds_needed(target, sd)
    lines.append(f"a difference of {target:g} needs {needed} seeds" if needed is not None
                 else f"a difference of {target:g} needs more than {MOST_SEEDS:,} seeds at this spread")
    return "\n".join(lines)

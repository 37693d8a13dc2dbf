"""``pdbench run``: data -> shared artifacts (PD ...) -> Plan -> train -> generate -> judge -> metrics -> MLflow.

Each stage is cached by content, so re-running the same command after an interruption resumes at
the first unfinished stage and ``--force STAGE`` recomputes one. Each stage prints when it finishes
(``pdbench.pipeline.progress``) and goes into the run's MLflow record as it does (``pdbench.tracking.journal``).
Device-hours (GPU-hours on GPUs) = wall-clock x devices per stage, from when the stage was computed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from pdbench.infra.cache import cache_root
from pdbench.selection.context import StrategyContext
from pdbench.infra.fileio import write_json
from pdbench.tracking.journal import Journal
from pdbench.selection.planning import make_plan
from pdbench.pipeline.config import RunConfig
from pdbench.pipeline.progress import Progress, Stage
from pdbench.infra.quiet import hide_library_progress_bars, known_warnings_silenced
from pdbench.tracking.record import config_tags, curve_event, metrics_event, provenance_tags, result_events, run_params
from pdbench.pipeline.rundir import clear_results
from pdbench.pipeline.stages import (device_name, initial_policy_stage, is_trained, pairs_stage, selection_stage,
                                    trained_policy_stage)

STAGES = ("sft", "data", "pd", "train", "baseline", "generate", "judge")
"""Names accepted by ``--force``."""
PROGRESS_STAGES = ("initial_policy", "pairs", "selection", "training", "baseline", "evaluation")
"""The stages every run goes through, in order (``stage_names`` adds the optional ones)."""


def stage_names(config: RunConfig) -> list[str]:
    """The stages a run of ``config`` goes through and prints, in order: then ``alpaca_eval`` when it computes
    WR / LC, and ``behaviour`` on the world."""
    return [*PROGRESS_STAGES, *(["alpaca_eval"] if config.alpaca_eval else []),
            *(["behaviour"] if config.eval_sets == "world" else [])]


def validate(config: RunConfig, strategy_paths=()):
    """Fail fast, before any training, on inputs that cannot work; returns the run's judge, checked.

    (The RunConfig checked its own types and ranges when it was built.)
    """
    from pdbench.data.loading import check_dataset
    from pdbench.eval.setup import build_judge
    from pdbench.infra.models import check_model_spec
    from pdbench.selection.registry import get_strategy

    check_dataset(config.dataset)  # a missing file fails here, not after the MLflow run and config.json exist
    check_model_spec(config.policy, "--policy")
    if config.baseline not in ("overall", "sft"):
        check_model_spec(config.baseline, "--baseline")
    get_strategy(config.strategy, strategy_paths)  # unknown names fail here, with suggestions
    judge = build_judge(config.judge, config.evaluation)
    judge.check()  # a missing API key or an unreachable endpoint fails here, not after training
    return judge


def run_cell(config: RunConfig, run_dir: Path | None = None, force: frozenset[str] = frozenset(), strategy_paths=(),
             experiment: str | None = "pdbench", echo: Callable[..., None] = click.echo) -> dict:
    """``pdbench run``: the pipeline in the run's folder (default ``runs/<name>``), held by this process for the
    whole run, its record sent live to MLflow ``experiment`` (None: not tracked); prints the result table."""
    from pdbench.pipeline.report import format_result
    from pdbench.pipeline.rundir import claim, default_run_dir
    from pdbench.tracking.publish import LiveTracking

    run_dir = Path(run_dir or default_run_dir(config))
    live = LiveTracking(experiment, echo) if experiment else None
    with claim(run_dir):  # a second process of the same cell stops here
        result = run_pipeline(config, run_dir, frozenset(force), strategy_paths, publish=live and live.publish, echo=echo)
        echo(format_result(result))
        if live:
            live.close(run_dir)
    echo(f"run folder: {run_dir}")
    return result


def run_pipeline(config: RunConfig, run_dir: Path, force: frozenset[str] = frozenset(), strategy_paths=(),
                 publish: Callable[[Journal], None] | None = None, echo: Callable[[str], None] = click.echo) -> dict:
    """Run every stage (reusing cached ones) and return the result dict written to ``run_dir/result.json``.

    Prints each stage as it finishes (``echo``) and keeps the run's MLflow record in ``run_dir/mlflow``;
    ``publish(journal)`` is called whenever that record grows (to send it live).
    """
    from pdbench.eval.setup import eval_sets

    unknown = set(force) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown --force stage(s) {sorted(unknown)}; stages: {', '.join(STAGES)}")
    judge = validate(config, strategy_paths)
    hide_library_progress_bars()
    run_dir = Path(run_dir)
    clear_results(run_dir)  # a run that fails must not leave its config beside an older result
    write_json(run_dir / "config.json", config.to_dict())
    journal = Journal(run_dir)
    journal.begin(run_dir.name, run_params(config.to_dict()), {**config_tags(config.to_dict(), device_name()),
                                                               **provenance_tags()})
    tell = publish or (lambda _journal: None)
    tell(journal)
    sets = eval_sets(config.evaluation)
    progress = _progress(config, sets, journal, tell, echo)
    try:
        result = _stages(config, run_dir, force, strategy_paths, sets, judge, progress, journal)
    except BaseException as error:
        journal.append({"kind": "status", "status": "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED"})
        tell(journal)
        raise
    for event in result_events(result):
        journal.append(event)
    tell(journal)
    return result


def _progress(config: RunConfig, sets: dict[str, list[str]], journal: Journal, tell: Callable[[Journal], None],
              echo: Callable[[str], None]) -> Progress:
    """The run's stage lines; each finished stage's time also goes into the run's record, which is then sent."""
    def stage_done(stage: Stage) -> None:
        journal.append(metrics_event({f"stage_seconds/{stage.name}": stage.seconds,
                                      f"stage_reused/{stage.name}": float(stage.cached)}))
        tell(journal)

    return Progress(stage_names(config), cache_root() / "timings.json", config.preset, echo, stage_done,
                    work={"evaluation": sum(map(len, sets.values()))})


def _stages(config: RunConfig, run_dir: Path, force: frozenset[str], strategy_paths, sets: dict[str, list[str]],
            judge, progress: Progress, journal: Journal) -> dict:
    from pdbench.eval.evaluate import pairwise_evaluation
    from pdbench.eval.setup import alpaca_metrics

    costs = {}
    with progress.stage("initial_policy") as stage:
        sft_path, costs["sft"] = initial_policy_stage(config, force="sft" in force)
        stage.cached = costs["sft"]["cached"]
    with progress.stage("pairs") as stage:
        pairs, costs["data"] = pairs_stage(config, force="data" in force)
        stage.cached, stage.note = costs["data"]["cached"], costs["data"].get("note", "")

    with progress.stage("selection") as stage:
        selection = selection_stage(config, pairs, run_dir / "plan", strategy_paths, force="pd" in force)
        plan, costs["selection"] = selection.plan, selection.cost
        # PD artifacts record the seconds they cost when computed: far more than this run spent = reused.
        stage.cached = bool(selection.context.used) and selection.wall < costs["selection"]["seconds"] / 2
        journal.append(metrics_event(_reward_model_accuracies(selection.context)))  # sent when the stage finishes

    baseline_plan = _baseline_plan(config, pairs, strategy_paths)
    # Work = pairs to train on; 0 when the trained model is in the cache already.
    progress.work["training"] = 0 if is_trained(config, pairs, plan) else len(plan.rows)
    progress.work["baseline"] = 0 if baseline_plan is None or is_trained(
        replace(config, strategy="overall", budget=1.0), pairs, baseline_plan) else len(baseline_plan.rows)
    with progress.stage("training") as stage:
        policy_path, costs["training"] = trained_policy_stage(config, pairs, plan, force="train" in force)
        stage.cached = costs["training"]["cached"]
        journal.append(curve_event(costs["training"].get("log_history", []), "train"))
    with progress.stage("baseline") as stage:
        baseline_path, costs["baseline"] = _baseline(config, pairs, baseline_plan, force="baseline" in force)
        stage.cached = costs["baseline"]["cached"]
        journal.append(curve_event(costs["baseline"].get("log_history", []), "baseline_train"))

    with progress.stage("evaluation"):
        started = time.perf_counter()
        evaluation = pairwise_evaluation(policy_path, baseline_path, sets, judge, config.decoding,
                                         refresh_generations="generate" in force, refresh_judge="judge" in force,
                                         max_invalid_share=config.max_invalid_share)
        costs["evaluation"] = {"seconds": time.perf_counter() - started, "parts": evaluation["seconds"], "devices": 1,
                               "device": device_name()}
    alpaca = None
    if config.alpaca_eval:
        with progress.stage("alpaca_eval"), known_warnings_silenced():
            alpaca = alpaca_metrics(config.evaluation, config.decoding, policy_path, sft_path)

    behaviour = None
    if config.eval_sets == "world":
        with progress.stage("behaviour"):
            behaviour = _world_behaviour(config, evaluation["samples"], sft_path)

    result = {
        "config": config.to_dict(),
        "plan": {"rows": len(plan.rows), "relabelled": len(plan.relabel), "objective": plan.objective,
                 "selected_conflict_rate": float(pairs.iloc[list(plan.rows)]["is_conflict"].mean()) if plan.rows else None},
        "pairwise": {k: v for k, v in evaluation.items() if k != "samples"},
        "alpaca_eval": alpaca,
        "behaviour": behaviour,
        "taught": _taught_summary(run_dir / "plan" / "diagnostics.json"),
        "costs": costs,
        "gpu_hours": gpu_hours(costs),
        "policy_path": policy_path,
        "baseline_path": baseline_path,
    }
    write_json(run_dir / "result.json", result)
    write_json(run_dir / "samples.json", evaluation["samples"])
    return result


def _world_behaviour(config: RunConfig, samples: dict, sft_path: str) -> dict:
    """What the policy, the baseline and the SFT policy do on the world's held-out prompts (pdbench.eval.behaviour)."""
    from pdbench.eval.behaviour import world_behaviour
    from pdbench.eval.setup import world_specs

    return world_behaviour(world_specs(config.evaluation), samples, sft_path, config.decoding)


def _taught_summary(diagnostics_file: Path) -> dict | None:
    """The all / conflicting / consistent rows of what the trained-on pairs teach (written by write_diagnostics)."""
    taught = json.loads(diagnostics_file.read_text())["taught"]
    return None if taught is None else {name: taught[name] for name in ("all", "conflicting", "consistent")}


def gpu_hours(costs: dict) -> dict:
    """Table 1's last column: selection and training device-hours, and the total with evaluation; ``device``
    names the device that trained (or evaluated, for strategies that do not train)."""
    def hours(*names):
        return sum(costs[n]["seconds"] * max(1, costs[n]["devices"]) for n in names if n in costs) / 3600

    device = next((costs[n]["device"] for n in ("training", "evaluation", "selection")
                   if costs.get(n, {}).get("device") not in (None, "none")), "cpu")
    return {
        "selection": hours("selection"),
        "training": hours("training"),
        "evaluation": hours("evaluation"),
        "total": hours("selection", "training", "evaluation"),
        "device": device,
    }


def _baseline_plan(config: RunConfig, pairs, strategy_paths):
    """The `overall` strategy's plan when the baseline is the `overall` model (trained once per data and seed)."""
    if config.baseline != "overall":
        return None
    context = StrategyContext(pairs, seed=config.seed, pd_config=config.pd)
    return make_plan("overall", pairs, 1.0, context, strategy_paths)


def _baseline(config: RunConfig, pairs, plan, force: bool) -> tuple[str, dict]:
    """The pairwise baseline: the `overall` model (trained on ``plan``), the SFT model, or a path."""
    if config.baseline == "sft":
        return initial_policy_stage(config)
    if plan is None:
        return config.baseline, {"seconds": 0.0, "devices": 0, "device": "none", "cached": True}
    return trained_policy_stage(replace(config, strategy="overall", budget=1.0), pairs, plan, force=force)


def _reward_model_accuracies(context: StrategyContext) -> dict[str, float]:
    """Held-out accuracy of each proxy reward model the strategy used (per aspect, or the unified one)."""
    metrics = {}
    for name in sorted(context.used):
        accuracy = getattr(context, name).meta.get("rm_accuracy")
        if isinstance(accuracy, dict):
            metrics.update({f"selection/rm_heldout_accuracy/{name}/{aspect}": value for aspect, value in accuracy.items()})
        elif accuracy is not None:
            metrics[f"selection/rm_heldout_accuracy/{name}"] = accuracy
    return metrics

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
from pdbench.pipeline.progress import Progress, Stage, stage_names
from pdbench.infra.quiet import hide_library_progress_bars, known_warnings_silenced
from pdbench.tracking.record import config_tags, curve_event, metrics_event, provenance_tags, result_events, run_params
from pdbench.pipeline.rundir import clear_results
from pdbench.pipeline.stages import (device_name, initial_policy_stage, is_trained, pairs_stage, selection_stage,
                                    trained_policy_stage)
from pdbench.selection.plan import Plan
from pdbench.results import DeviceHours, Pairwise, PlanSummary, RunResult

STAGES = ("sft", "data", "pd", "train", "baseline", "generate", "judge")
"""Names accepted by ``--force``."""
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
    from pdbench.pipeline.preflight import blocking_problems

    problems = blocking_problems(config)  # AlpacaEval's key, servers, extras, templates: before any training
    if problems:
        raise ValueError(problems[0] if len(problems) == 1 else "; ".join(problems))
    return judge


def run_cell(config: RunConfig, run_dir: Path | None = None, force: frozenset[str] = frozenset(), strategy_paths=(),
             experiment: str | None = "pdbench", echo: Callable[..., None] = click.echo) -> RunResult:
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
                 publish: Callable[[Journal], None] | None = None, echo: Callable[[str], None] = click.echo) -> RunResult:
    """Run every stage (reusing cached ones) and return the result written to ``run_dir/result.json``.

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
            judge, progress: Progress, journal: Journal) -> RunResult:
    cell = _Cell(config, run_dir, force, strategy_paths, progress, journal)
    sft_path = cell.initial_policy()
    pairs = cell.pairs()
    plan = cell.selection(pairs)
    baseline_plan = _baseline_plan(config, pairs, strategy_paths)
    # Work = pairs to train on; 0 when the trained model is in the cache already.
    progress.work["training"] = 0 if is_trained(config, pairs, plan) else len(plan.rows)
    progress.work["baseline"] = 0 if baseline_plan is None or is_trained(
        replace(config, strategy="overall", budget=1.0), pairs, baseline_plan) else len(baseline_plan.rows)
    policy_path = cell.training(pairs, plan)
    baseline_path = cell.baseline(pairs, baseline_plan)
    cell.generation(policy_path, baseline_path, sft_path, sets)
    with judge.serving():  # a judge that serves its own model runs while the run judges, and no longer
        evaluation = cell.evaluation(policy_path, baseline_path, sets, judge)
        alpaca = cell.alpaca_eval(policy_path, sft_path, judge) if config.alpaca_eval else None
    behaviour = cell.behaviour(evaluation.samples, sft_path) if config.eval_sets == "world" else None

    result = RunResult(
        config=config.to_dict(),
        plan=PlanSummary(rows=len(plan.rows), relabelled=len(plan.relabel), objective=plan.objective,
                         selected_conflict_rate=float(pairs.iloc[list(plan.rows)]["is_conflict"].mean())
                         if plan.rows else None),
        pairwise=evaluation,
        alpaca_eval=alpaca,
        behaviour=behaviour,
        taught=_taught_summary(run_dir / "plan" / "diagnostics.json"),
        costs=cell.costs,
        paths=code_paths(config, cell.costs, alpaca),
        gpu_hours=gpu_hours(cell.costs),
        policy_path=policy_path,
        baseline_path=baseline_path,
    )
    result.write(run_dir)
    return result


class _Cell:
    """One run's stages, one method each, in pipeline order; each records its cost in ``costs``: wall-clock
    ``seconds`` and ``device_seconds`` (wall-clock x the devices it occupied)."""

    def __init__(self, config: RunConfig, run_dir: Path, force: frozenset[str], strategy_paths, progress: Progress,
                 journal: Journal):
        self.config, self.run_dir, self.force, self.strategy_paths = config, run_dir, force, strategy_paths
        self.progress, self.journal = progress, journal
        self.costs: dict[str, dict] = {}

    def initial_policy(self) -> str:
        """The policy with its chat template, after SFT when the SFT stage is on (``initial_policy_stage``)."""
        with self.progress.stage("initial_policy") as stage:
            path, self.costs["sft"] = initial_policy_stage(self.config, force="sft" in self.force)
            stage.cached = self.costs["sft"]["cached"]
            self.journal.append(curve_event(self.costs["sft"].get("log_history", []), "sft_train"))
        return path

    def pairs(self):
        """The aspect-labelled pair table (``pairs_stage``)."""
        with self.progress.stage("pairs") as stage:
            pairs, self.costs["data"] = pairs_stage(self.config, force="data" in self.force)
            stage.cached, stage.note = self.costs["data"]["cached"], self.costs["data"].get("note", "")
        return pairs

    def selection(self, pairs) -> Plan:
        """The strategy's Plan, exported to the run folder (``selection_stage``)."""
        with self.progress.stage("selection") as stage:
            selection = selection_stage(self.config, pairs, self.run_dir / "plan", self.strategy_paths,
                                        force="pd" in self.force)
            self.costs["selection"] = selection.cost
            # PD artifacts record the seconds they cost when computed: far more than this run spent = reused.
            stage.cached = bool(selection.context.used) and selection.wall < selection.cost["seconds"] / 2
            self.journal.append(metrics_event(_reward_model_accuracies(selection.context)))  # sent when it finishes
        return selection.plan

    def training(self, pairs, plan: Plan) -> str:
        """The policy trained on the Plan (``trained_policy_stage``)."""
        with self.progress.stage("training") as stage:
            path, self.costs["training"] = trained_policy_stage(self.config, pairs, plan, force="train" in self.force)
            stage.cached = self.costs["training"]["cached"]
            self.journal.append(curve_event(self.costs["training"].get("log_history", []), "train"))
        return path

    def baseline(self, pairs, baseline_plan) -> str:
        """The pairwise baseline (``_baseline``)."""
        with self.progress.stage("baseline") as stage:
            path, self.costs["baseline"] = _baseline(self.config, pairs, baseline_plan, force="baseline" in self.force)
            stage.cached = self.costs["baseline"]["cached"]
            self.journal.append(curve_event(self.costs["baseline"].get("log_history", []), "baseline_train"))
        return path

    def generation(self, policy_path: str, baseline_path: str, sft_path: str, sets: dict[str, list[str]]) -> None:
        """Every answer the evaluation needs, each model once (served once, when a server generates): the policy's
        to the test sets and AlpacaEval's prompts, the baseline's, and the initial policy's (AlpacaEval's reference
        on world prompts). Later stages read them from the cache."""
        from pdbench.eval.generate import generate_sets
        from pdbench.eval.serving import served_devices
        from pdbench.eval.setup import alpaca_sets

        config, refresh = self.config, "generate" in self.force
        alpaca = alpaca_sets(config.evaluation, config.alpaca) if config.alpaca_eval else {}
        jobs = [(policy_path, {**sets, **alpaca}), (baseline_path, sets)]
        if config.alpaca_eval and config.eval_sets == "world":
            jobs.append((sft_path, alpaca))
        with self.progress.stage("generation"):
            started = time.perf_counter()
            for model, model_sets in jobs:
                generate_sets(model, model_sets, config.decoding, force=refresh)
            seconds = time.perf_counter() - started
            self.costs["generation"] = _cost(seconds, served_devices(config.decoding.server))

    def evaluation(self, policy_path: str, baseline_path: str, sets: dict[str, list[str]], judge) -> Pairwise:
        """Both orders of every (policy, baseline) answer pair judged; win scores and AW."""
        from pdbench.eval.evaluate import pairwise_evaluation

        with self.progress.stage("evaluation"):
            started = time.perf_counter()
            evaluation = pairwise_evaluation(policy_path, baseline_path, sets, judge, self.config.decoding,
                                             refresh_judge="judge" in self.force,
                                             max_invalid_share=self.config.max_invalid_share)
            self.costs["evaluation"] = {**_cost(time.perf_counter() - started, self._judge_devices()),
                                        "parts": evaluation.seconds}
        return evaluation

    def alpaca_eval(self, policy_path: str, sft_path: str, judge) -> dict:
        """AlpacaEval 2's WR and LC (``pdbench.eval.setup.alpaca_metrics``)."""
        from pdbench.eval.setup import alpaca_metrics

        config = self.config
        with self.progress.stage("alpaca_eval"), known_warnings_silenced():
            started = time.perf_counter()
            metrics = alpaca_metrics(config.evaluation, config.alpaca, config.decoding, policy_path, sft_path,
                                     self.run_dir / "alpaca_eval", judge)
            devices = self._judge_devices() if config.alpaca.annotator == "judge" else int(config.alpaca.is_rubric)
            self.costs["alpaca_eval"] = _cost(time.perf_counter() - started, devices)
        return metrics

    def behaviour(self, samples: dict, sft_path: str) -> dict:
        """What the policy, the baseline and the SFT policy do on the world's held-out prompts."""
        with self.progress.stage("behaviour"):
            return _world_behaviour(self.config, samples, sft_path)

    def _judge_devices(self) -> int:
        """Devices the judge occupies here: its server's, 1 for the in-process rubric, 0 for a remote API."""
        from pdbench.eval.serving import served_devices

        judge = self.config.judge
        return served_devices(judge.serve) if judge.serve else 1 if judge.kind == "rubric" else 0


def _cost(seconds: float, devices: int) -> dict:
    return {"seconds": seconds, "devices": devices, "device_seconds": seconds * devices, "device": device_name(),
            "cached": False}


def _world_behaviour(config: RunConfig, samples: dict, sft_path: str) -> dict:
    """What the policy, the baseline and the SFT policy do on the world's held-out prompts (pdbench.eval.behaviour)."""
    from pdbench.eval.behaviour import world_behaviour
    from pdbench.eval.setup import world_specs

    return world_behaviour(world_specs(config.evaluation), samples, sft_path, config.decoding)


def _taught_summary(diagnostics_file: Path) -> dict | None:
    """The all / conflicting / consistent rows of what the trained-on pairs teach (written by write_diagnostics)."""
    taught = json.loads(diagnostics_file.read_text())["taught"]
    return None if taught is None else {name: taught[name] for name in ("all", "conflicting", "consistent")}


def code_paths(config: RunConfig, costs: dict, alpaca: dict | None) -> dict:
    """Which code path each stage ran: training processes (and whether DeepSpeed ZeRO-3 created the model
    partitioned; for DPO whether prefixes were shared), a served or an in-process model, the judge's endpoint,
    official or minimal LC."""
    def training(record: dict | None) -> dict | None:
        if not record or record.get("devices", 0) == 0:
            return None
        path = {"processes": record.get("devices"), "accelerate_config": config.accelerate_config,
                "zero3_partitioned": record.get("zero3_partitioned"), "reused": record.get("cached", False)}
        if "prefix_sharing" in record:  # DPO's: on, off, or off with the reason it fell back
            path["prefix_sharing"] = record["prefix_sharing"]
        return path

    judge = config.judge
    rm = costs.get("selection", {}).get("reward_model")
    return {
        "sft": training(costs.get("sft")),
        "reward_model": None if config.pd.backend != "lm" else
        {"processes": rm.get("processes"), "zero3_partitioned": rm.get("zero3_partitioned"),
         "accelerate_config": config.accelerate_config} if rm else "reused (PD from the cache)",
        "training": training(costs.get("training")),
        "baseline": training(costs.get("baseline")),
        "generation": f"served by {config.decoding.server}" if config.decoding.server else "in process (transformers)",
        "judge": "in process (rubric)" if judge.kind == "rubric" else f"served by {judge.serve}" if judge.serve
        else f"remote: {judge.base_url or 'api.openai.com'}",
        "alpaca_eval": None if alpaca is None else
        {"annotation": "rubric, in process" if config.alpaca.is_rubric else f"alpaca_eval.evaluate ({config.alpaca.annotator})",
         "lc": alpaca.get("lc_kind")},
    }


def gpu_hours(costs: dict) -> DeviceHours:
    """Device-hours (GPU-hours on GPUs) per part: wall-clock x the devices each stage occupied, as recorded when it
    was computed (so a run that reuses a stage still reports its cost). Table 1's column is selection + training;
    ``sft`` (the policy's and the reward model's base's) is shared by every cell, and ``evaluation`` counts
    generation and a judge served here, never the wait on a remote API. ``device`` names the device that trained
    (or evaluated, for strategies that do not train)."""
    def hours(*names):
        return sum(_device_seconds(costs[n]) for n in names if n in costs) / 3600

    device = next((costs[n]["device"] for n in ("training", "evaluation", "selection")
                   if costs.get(n, {}).get("device") not in (None, "none")), "cpu")
    parts = {
        "sft": hours("sft") + costs.get("selection", {}).get("reward_base_device_seconds", 0.0) / 3600,
        "selection": hours("selection"),
        "training": hours("training"),
        "evaluation": hours("generation", "evaluation", "alpaca_eval"),
    }
    return DeviceHours(**parts, total=sum(parts.values()), device=device)


def _device_seconds(cost: dict) -> float:
    """A stage's device-seconds (records from before they were kept: wall-clock x devices)."""
    return cost.get("device_seconds", cost.get("seconds", 0.0) * max(1, cost.get("devices", 1)))


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

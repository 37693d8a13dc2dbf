"""``pdbench run``: data -> shared artifacts (PD ...) -> Plan -> train -> generate -> judge -> metrics -> MLflow.

Each stage is cached by content, so re-running the same command after an interruption resumes at
the first unfinished stage and ``--force STAGE`` recomputes one. GPU-hours (device-hours on a CPU,
labelled with the device) = wall-clock x devices per stage, from when the stage was computed.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from pdbench.context import StrategyContext
from pdbench.fileio import write_json
from pdbench.planning import export_plan, make_plan
from pdbench.presets import RunConfig
from pdbench.rundir import clear_results
from pdbench.stages import device_name, initial_policy_stage, pairs_stage, trained_policy_stage

STAGES = ("sft", "data", "pd", "train", "baseline", "generate", "judge")
"""Names accepted by ``--force``."""


def validate(config: RunConfig, strategy_paths=()) -> None:
    """Fail fast, before any training, on inputs that cannot work."""
    from eval.setup import build_judge
    from pdbench.models import check_model_spec
    from pdbench.presets import check_config
    from pdbench.registry import get_strategy

    check_config(config)  # types and ranges
    check_model_spec(config.policy, "--policy")
    if config.baseline not in ("overall", "sft"):
        check_model_spec(config.baseline, "--baseline")
    get_strategy(config.strategy, strategy_paths)  # unknown names fail here, with suggestions
    build_judge(config).check()  # a missing API key or an unreachable endpoint fails here, not after training


def run_pipeline(config: RunConfig, run_dir: Path, force: frozenset[str] = frozenset(), strategy_paths=()) -> dict:
    """Run every stage (reusing cached ones) and return the result dict written to ``run_dir/result.json``."""
    from eval.evaluate import pairwise_evaluation
    from eval.setup import alpaca_metrics, build_judge, eval_sets

    unknown = set(force) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown --force stage(s) {sorted(unknown)}; stages: {', '.join(STAGES)}")
    validate(config, strategy_paths)
    run_dir = Path(run_dir)
    clear_results(run_dir)  # a run that fails must not leave its config beside an older result
    write_json(run_dir / "config.json", config.to_dict())
    costs = {}

    _, costs["sft"] = initial_policy_stage(config, force="sft" in force)
    pairs, costs["data"] = pairs_stage(config, force="data" in force)
    context = StrategyContext(pairs, seed=config.seed, pd_config=config.pd, force="pd" in force)
    started = time.perf_counter()
    plan = make_plan(config.strategy, pairs, config.budget, context, strategy_paths)
    costs["selection"] = _selection_cost(context, time.perf_counter() - started)
    export_plan(pairs, plan, context, run_dir / "plan")

    policy_path, costs["training"] = trained_policy_stage(config, pairs, plan, force="train" in force)
    baseline_path, costs["baseline"] = _baseline(config, pairs, strategy_paths, force="baseline" in force)

    judge = build_judge(config)
    sets = eval_sets(config)
    started = time.perf_counter()
    evaluation = pairwise_evaluation(policy_path, baseline_path, sets, judge, config.decoding,
                                     refresh_generations="generate" in force, refresh_judge="judge" in force,
                                     max_invalid_share=config.max_invalid_share)
    alpaca = alpaca_metrics(config, policy_path) if config.alpaca_eval else None
    costs["evaluation"] = {"seconds": time.perf_counter() - started, "parts": evaluation["seconds"], "devices": 1,
                           "device": device_name()}

    behaviour = _world_behaviour(config, evaluation["samples"]) if config.eval_sets == "world" else None

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


def _world_behaviour(config: RunConfig, samples: dict) -> dict:
    """What the policy, the baseline and the SFT policy do on the world's held-out prompts (eval.behaviour)."""
    from eval.behaviour import world_behaviour
    from eval.setup import world_specs

    sft_path, _ = initial_policy_stage(config)
    return world_behaviour(world_specs(config), samples, sft_path, config.decoding)


def _taught_summary(diagnostics_file: Path) -> dict | None:
    """The all / conflicting / consistent rows of what the trained-on pairs teach (written by export_plan)."""
    taught = json.loads(diagnostics_file.read_text())["taught"]
    return None if taught is None else {name: taught[name] for name in ("all", "conflicting", "consistent")}


def gpu_hours(costs: dict) -> dict:
    """Table 1's last column: selection and training device-hours, and the total with evaluation."""
    def hours(*names):
        return sum(costs[n]["seconds"] * max(1, costs[n]["devices"]) for n in names if n in costs) / 3600

    device = next((c["device"] for c in costs.values() if c.get("device") not in (None, "none")), "cpu")
    return {
        "selection": hours("selection"),
        "training": hours("training"),
        "evaluation": hours("evaluation"),
        "total": hours("selection", "training", "evaluation"),
        "device": device,
    }


def _selection_cost(context: StrategyContext, wall: float) -> dict:
    """Reward-model training + scoring as recorded when the artifacts were computed (cache hits included)."""
    parts = {}
    for name in context.used:
        for part, seconds in (getattr(context, name).meta.get("seconds") or {}).items():
            parts[f"{name}.{part}"] = seconds
    return {"seconds": sum(parts.values()) if context.used else wall, "parts": parts, "devices": 1, "device": device_name()}


def _baseline(config: RunConfig, pairs, strategy_paths, force: bool) -> tuple[str, dict]:
    """The pairwise baseline: the `overall` model (trained once per data and seed), the SFT model, or a path."""
    if config.baseline == "sft":
        return initial_policy_stage(config)
    if config.baseline != "overall":
        return config.baseline, {"seconds": 0.0, "devices": 0, "device": "none", "cached": True}
    overall = replace(config, strategy="overall", budget=1.0)
    context = StrategyContext(pairs, seed=config.seed, pd_config=config.pd)
    plan = make_plan("overall", pairs, 1.0, context, strategy_paths)
    return trained_policy_stage(overall, pairs, plan, force=force)


def load_result(run_dir: Path) -> dict:
    """A finished run's result."""
    return json.loads((Path(run_dir) / "result.json").read_text())

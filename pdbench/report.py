"""The printed result of a run and the metrics it logs."""

from __future__ import annotations


def run_metrics(result: dict) -> dict[str, float]:
    """Flat metrics for MLflow: AW, per-set win scores, WR / LC, lengths, GPU-hours; on the world also the
    policy's behaviour profile (``behaviour.*``, its change against SFT ``behaviour_vs_sft.*``) and what
    its training pairs teach against the gold rubric (``taught.*``: chosen − rejected, gold agreement)."""
    pairwise = result["pairwise"]
    metrics = {"aw": pairwise["aw"], "aw_std": pairwise["aw_std"],
               "aw_ci95_low": pairwise["aw_ci95"][0], "aw_ci95_high": pairwise["aw_ci95"][1]}
    lengths, invalid = [], 0
    for name, row in pairwise["sets"].items():
        metrics[f"win_score.{name}"] = row["win_score"]
        lengths.append(row["avg_length"])
        invalid += row["invalid_verdicts"]
    metrics["avg_length"] = sum(lengths) / len(lengths)
    metrics["invalid_verdicts"] = invalid
    if result.get("alpaca_eval"):
        metrics["wr"] = result["alpaca_eval"]["win_rate"]
        metrics["lc"] = result["alpaca_eval"]["length_controlled_winrate"]
    for part in ("selection", "training", "evaluation", "total"):
        metrics[f"gpu_hours.{part}"] = result["gpu_hours"][part]
    if result["plan"]["selected_conflict_rate"] is not None:
        metrics["selected_conflict_rate"] = result["plan"]["selected_conflict_rate"]
    behaviour = result.get("behaviour") or {}
    for who, prefix in (("policy", "behaviour"), ("policy_vs_sft", "behaviour_vs_sft")):
        metrics.update({f"{prefix}.{name}": value for name, value in behaviour.get(who, {}).items()})
    taught = (result.get("taught") or {}).get("all") or {}
    metrics.update({f"taught.{name}": value for name, value in taught.items() if name != "pairs"})
    return metrics


def format_result(result: dict) -> str:
    """Per-set table, AW ± std, WR / LC and GPU-hours, as printed by ``pdbench run``."""
    from eval.evaluate import format_table

    config = result["config"]
    lines = [f"strategy {config['strategy']}  conflict {config['conflict']}  budget {config['budget']}  seed {config['seed']}"
             f"  ({result['plan']['rows']} pairs, objective {result['plan']['objective']})", format_table(result["pairwise"])]
    alpaca = result.get("alpaca_eval")
    if alpaca:
        lines.append(f"AlpacaEval: WR {alpaca['win_rate']:.2f}  LC {alpaca['length_controlled_winrate']:.2f}"
                     f"  ({alpaca['lc_kind']}; reference: {alpaca.get('reference', 'GPT-4 turbo')})")
    if result.get("behaviour"):
        from eval.behaviour import format_behaviour

        lines.append(format_behaviour(result["behaviour"]))
    hours = result["gpu_hours"]
    unit = "GPU-hours" if hours["device"] != "cpu" else "device-hours (cpu)"
    lines.append(f"{unit}: selection {hours['selection']:.4f}  training {hours['training']:.4f}  "
                 f"evaluation {hours['evaluation']:.4f}  total {hours['total']:.4f}")
    reused = [name for name, cost in result["costs"].items() if cost.get("cached")]
    if reused:
        lines.append(f"reused from cache: {', '.join(reused)}")
    return "\n".join(lines)


def run_tags(result: dict) -> dict[str, str]:
    """The tags that group runs in the MLflow UI and the leaderboard."""
    config = result["config"]
    return {"strategy": config["strategy"], "conflict": str(config["conflict"]), "budget": str(config["budget"]),
            "seed": str(config["seed"]), "preset": config["preset"], "dataset": config["dataset"],
            "judge": result["pairwise"]["judge"]}


def track_run_dir(run_dir, experiment: str, parent_run_id: str | None = None) -> str:
    """Log a finished run folder to MLflow (used at the end of a run, by sweeps and by ``pdbench sync``)."""
    import json
    from pathlib import Path

    from pdbench.tracking import log_run

    run_dir = Path(run_dir)
    result_file = run_dir / "result.json"
    if not result_file.exists():
        raise FileNotFoundError(f"{run_dir} holds no result.json: the run did not finish (re-run it to resume)")
    result = json.loads(result_file.read_text())
    artifacts = {"": result_file, "plan": run_dir / "plan", "samples": run_dir / "samples.json",
                 "config": run_dir / "config.json"}
    system_metrics = result["costs"].get("training", {}).get("system_metrics", []) if "costs" in result else []
    return log_run(run_dir.name, result["config"], run_metrics(result), run_tags(result), artifacts,
                   experiment=experiment, parent_run_id=parent_run_id, system_metrics=system_metrics)

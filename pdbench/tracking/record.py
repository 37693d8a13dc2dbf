"""A run's MLflow record, as events: params, tags, metrics and training curves (kept in the run folder by
``pdbench.tracking.journal`` and sent by ``pdbench.tracking.publish``)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pdbench.results import RunResult

ARTIFACTS = {"": "result.json", "plan": "plan", "samples": "samples.json", "config": "config.json"}
"""MLflow artifact folder -> file or folder in the run folder."""
TRACKED_PACKAGES = ("pdbench", "torch", "transformers", "trl", "accelerate", "mlflow", "alpaca-eval")
"""Packages whose versions tag every run."""
CURVE_SKIP = ("step", "epoch", "total_flos", "train_runtime", "train_samples_per_second", "train_steps_per_second")
"""TRL log_history entries that are bookkeeping, not curves."""


def flatten(values: Mapping, prefix: str = "") -> dict[str, object]:
    """{"train": {"beta": 0.1}} -> {"train.beta": 0.1}."""
    flat = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape a result."""
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def git_sha() -> str:
    """The commit of the pdbench checkout, or "unknown" outside a git checkout."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def provenance_tags() -> dict[str, str]:
    """Package versions and git SHA, as tags."""
    return {**{f"pkg.{k}": v for k, v in package_versions().items()}, "git_sha": git_sha()}


def run_params(config: dict) -> dict[str, object]:
    """The run's config as flat MLflow params, without the settings that do not apply to it (SFT settings
    without an SFT dataset, one PD backend's settings under the other, LoRA rank without LoRA, the world's
    size with another dataset, the rubric judge's endpoint settings) and unset (None) values."""
    is_lm = config.get("pd", {}).get("backend") == "lm"
    not_applying = {
        "sft.": not config.get("sft", {}).get("dataset"),
        "pd.lm_": not is_lm,
        **{f"pd.{name}": is_lm for name in ("encoder", "hidden", "epochs", "lr", "weight_decay")},
        "train.lora_": not config.get("train", {}).get("use_lora"),
        "world_prompts": not str(config.get("dataset", "")).startswith("world"),
        # The rubric judge has a name and nothing else that applies.
        **{f"judge.{name}": config.get("judge", {}).get("kind") == "rubric"
           for name in ("kind", "model", "base_url", "api_key_env", "prompt_file", "temperature", "max_tokens",
                        "timeout_s", "max_retries")},
    }
    skip = tuple(prefix for prefix, applies_not in not_applying.items() if applies_not)
    return {k: v for k, v in flatten(config).items() if v is not None and not (skip and k.startswith(skip))}


def config_tags(config: dict, device: str) -> dict[str, str]:
    """The tags that group runs in the MLflow UI and the leaderboard, known when a run starts."""
    return {"strategy": config["strategy"], "conflict": str(config["conflict"]), "budget": str(config["budget"]),
            "seed": str(config["seed"]), "preset": config["preset"], "dataset": config["dataset"],
            "baseline": config["baseline"], "device": device}


def run_metrics(result: RunResult) -> dict[str, float]:
    """Flat metrics under pdbench's keys (AW, per-set win scores, WR / LC, answer lengths in characters,
    device-hours per part; on the world also the policy's behaviour profile ``behaviour.*``, its change
    against SFT ``behaviour_vs_sft.*`` and what its training pairs teach against the gold rubric
    ``taught.*``); ``pdbench.tracking.store`` names them for MLflow."""
    pairwise = result.pairwise
    metrics = {"aw": pairwise.aw, "aw_std": pairwise.aw_std,
               "aw_ci95_low": pairwise.aw_ci95[0], "aw_ci95_high": pairwise.aw_ci95[1]}
    for name, row in pairwise.sets.items():
        metrics[f"win_score.{name}"] = row.win_score
    metrics["avg_length"] = pairwise.answer_chars
    metrics["baseline_avg_length"] = pairwise.baseline_answer_chars  # None (left out) in results before it was kept
    metrics["invalid_verdicts"] = pairwise.invalid_verdicts
    if result.alpaca_eval:
        metrics["wr"], metrics["lc"] = result.wr, result.lc
    for part in ("sft", "selection", "training", "evaluation", "total"):
        metrics[f"gpu_hours.{part}"] = getattr(result.gpu_hours, part)  # sft: None in results before it counted
    metrics["selected_conflict_rate"] = result.plan.selected_conflict_rate
    metrics.update(result.behaviour_metrics)
    taught = (result.taught or {}).get("all") or {}
    metrics.update({f"taught.{name}": value for name, value in taught.items() if name != "pairs"})
    return metrics


def metrics_event(values: dict[str, float], step: int = 0) -> dict:
    """One journal event logging ``values`` at ``step`` (NaN and None left out)."""
    return {"kind": "metrics", "points": [[k, float(v), step] for k, v in values.items() if v is not None and v == v]}


def curve_event(log_history: list[dict], prefix: str) -> dict:
    """TRL's per-step logs (loss, rewards/margins, rewards/accuracies ...) as step metrics under ``prefix/``."""
    points = [[f"{prefix}/{key}", float(value), int(entry["step"])]
              for entry in log_history if "step" in entry
              for key, value in entry.items()
              if key not in CURVE_SKIP and isinstance(value, (int, float)) and value == value]
    return {"kind": "metrics", "points": points}


def result_events(result: RunResult) -> list[dict]:
    """The events that close a finished run's record: metrics, system samples, judge tag, artifacts, status."""
    events = [metrics_event(run_metrics(result))]
    samples = result.training_record.get("system_metrics", [])
    if samples:
        events.append({"kind": "metrics", "points": [[k, float(v), step] for step, reading in enumerate(samples)
                                                     for k, v in reading.items() if k != "t"]})
    tags = {"judge": result.pairwise.judge, "device": result.gpu_hours.device}
    if result.precision:  # the arithmetic the cell trained in (RunResult.precision); comparisons flag mixed pairs
        tags["train_precision"] = result.precision
    events.append({"kind": "tags", "tags": tags})
    events.append({"kind": "artifacts", "paths": ARTIFACTS})
    events.append({"kind": "status", "status": "FINISHED"})
    return events

"""The cached stages of a run: pairs, the trained policy, the baseline.

Every stage's output lives in the content-addressed cache, keyed by what determines it, so a
sweep computes shared stages once and a killed run resumes at the first missing one. Each
stage records the seconds and devices it cost when it was computed, so a run that reuses it
still reports its full GPU-hours.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pdbench.infra.cache import content_key, frame_fingerprint, remember, stage_dir, stage_lock
from pdbench.data.loading import dataset_identity, load_records
from pdbench.data.pairs import PAIRING_VERSION, build_pairs
from pdbench.infra.fileio import write_json, write_with
from pdbench.selection.context import StrategyContext
from pdbench.selection.plan import Plan
from pdbench.selection.planning import export_plan, make_plan, planned_pairs
from pdbench.pipeline.config import RunConfig
from pdbench.pipeline.diagnostics import write_diagnostics
from pdbench.infra.sysmon import monitor

DONE = "stage.json"
"""Written last into a stage folder: its presence marks a complete output, with its cost."""


def pairs_stage(config: RunConfig, force: bool = False) -> tuple[pd.DataFrame, dict]:
    """The aspect-labelled pair table of (dataset, conflict, seed); returns (pairs, stage record)."""
    from pdbench.world.variants import parse_world_dataset

    variant = parse_world_dataset(config.dataset)
    # A world variant's key holds its config and a local file's its content, so editing either never reuses old pairs.
    identity = dataset_identity(config.dataset)
    key = content_key("pairs", PAIRING_VERSION, identity, variant and variant.identity(), config.conflict,
                      config.seed, config.world_prompts)
    is_file = identity != config.dataset
    before = remember("dataset_contents", str(Path(config.dataset).resolve()), identity) if is_file else None
    folder = stage_dir("pairs", key)
    with stage_lock(folder):
        record = _done(folder, force)
        if record is None:
            started = time.perf_counter()
            records = load_records(config.dataset, world_prompts=config.world_prompts)
            pairs, facts = build_pairs(records, config.conflict, seed=config.seed, source=config.dataset)
            write_with(folder / "pairs.parquet", lambda p: pairs.to_parquet(p, index=False))
            record = _finish(folder, {"facts": facts}, time.perf_counter() - started, devices=1, device="cpu")
            if before not in (None, identity):
                record["note"] = f"the content of {config.dataset} changed since its pairs were last built"
    return pd.read_parquet(folder / "pairs.parquet"), record


@dataclass(frozen=True)
class Selection:
    """What the selection stage produced."""

    plan: Plan
    context: StrategyContext
    """The shared artifacts (PD scores ...) the strategy used, from the cache when computed before."""
    cost: dict
    """Stage record: ``seconds`` (reward-model training + scoring as recorded when the artifacts were computed,
    else this run's wall time), ``parts``, ``devices``, ``device``."""
    wall: float
    """Seconds the strategy took in this run (little when its artifacts came from the cache)."""
    files: list[Path]
    """What ``export_plan`` and ``write_diagnostics`` wrote: train.jsonl, the artifacts the strategy used, its
    diagnostics."""


def selection_stage(config: RunConfig, pairs: pd.DataFrame, out_dir: Path, strategy_paths=(),
                    force: bool = False) -> Selection:
    """``config.strategy``'s Plan for ``pairs`` at ``config.budget``, exported to ``out_dir`` (``pdbench run``
    and ``pdbench select`` both); ``force`` recomputes the shared artifacts."""
    context = StrategyContext(pairs, seed=config.seed, pd_config=config.pd, force=force)
    started = time.perf_counter()
    plan = make_plan(config.strategy, pairs, config.budget, context, strategy_paths)
    wall = time.perf_counter() - started
    parts = {f"{name}.{part}": seconds for name in context.used
             for part, seconds in (getattr(context, name).meta.get("seconds") or {}).items()}
    cost = {"seconds": sum(parts.values()) if context.used else wall, "parts": parts, "devices": 1,
            "device": device_name()}
    files = export_plan(pairs, plan, context, Path(out_dir)) + write_diagnostics(pairs, plan, context, Path(out_dir))
    return Selection(plan, context, cost, wall, files)


def initial_policy_stage(config: RunConfig, force: bool = False) -> tuple[str, dict]:
    """The policy alignment starts from: ``config.policy``, after the optional SFT stage."""
    from pdbench.infra.models import needs_conversion, resolve_model_path
    from pdbench.training.sft import sft_policy

    started, is_converting = time.perf_counter(), needs_conversion(config.policy)  # an embedded GGUF, once per cache
    policy = resolve_model_path(config.policy)
    if not config.sft.dataset:
        return policy, {"seconds": time.perf_counter() - started, "devices": 0, "device": "none",
                        "cached": not is_converting}
    folder = stage_dir("sft", content_key("sft", _model_identity(policy), config.sft.to_dict()))
    with stage_lock(folder):
        record = _done(folder, force)
        if record is None:
            shutil.rmtree(folder, ignore_errors=True)
            outcome = sft_policy(policy, config.sft, folder / "work")
            (folder / "work" / "model").rename(folder / "model")
            record = _finish(folder, {"global_step": outcome["global_step"]}, outcome["train_seconds"], devices=1,
                             device=device_name())
    return str(folder / "model"), record


def trained_policy_stage(config: RunConfig, pairs: pd.DataFrame, plan: Plan, force: bool = False) -> tuple[str, dict]:
    """The policy trained on ``plan`` (or the initial policy for objective ``none``)."""
    from pdbench.training.launch import run_training
    from pdbench.training.precision import resolve_precision

    policy, _ = initial_policy_stage(config)
    if plan.objective == "none":
        return policy, {"seconds": 0.0, "devices": 0, "device": "none", "cached": False}
    selected = planned_pairs(pairs, plan)
    folder = _trained_folder(config, policy, selected, plan)
    with stage_lock(folder):
        record = _done(folder, force)
        if record is None:
            shutil.rmtree(folder, ignore_errors=True)  # a half-finished attempt: start clean
            n_aspects = pairs["aspect"].nunique()
            with monitor() as system_metrics:
                outcome = run_training(policy, selected, plan.objective, n_aspects, config.train, folder / "work",
                                       config.num_processes, config.accelerate_config)
            (folder / "work" / "model").rename(folder / "model")
            record = _finish(folder, {"global_step": outcome["global_step"], "system_metrics": system_metrics,
                                      "log_history": outcome["log_history"],
                                      "precision": resolve_precision(config.train.precision)},
                             outcome["train_seconds"], devices=config.num_processes, device=device_name())
    return str(folder / "model"), record


def is_trained(config: RunConfig, pairs: pd.DataFrame, plan: Plan) -> bool:
    """Whether the policy trained on ``plan`` is already in the cache (for estimating what a run has left)."""
    if plan.objective == "none":
        return True
    policy, _ = initial_policy_stage(config)
    return _done(_trained_folder(config, policy, planned_pairs(pairs, plan), plan), force=False) is not None


def _trained_folder(config: RunConfig, policy: str, selected: pd.DataFrame, plan: Plan) -> Path:
    from pdbench.training.precision import resolve_precision

    # The arithmetic actually used, not "auto": a bf16 model and an fp32 one never share an entry.
    train = {**config.train.to_dict(), "precision": resolve_precision(config.train.precision)}
    key = content_key(
        "train", _model_identity(policy), frame_fingerprint(selected, ["prompt", "chosen", "rejected"]),
        plan.objective, list(plan.pd_term or ()), train, config.num_processes,
    )
    return stage_dir("trained", key)


def _model_identity(path: str) -> str:
    from pdbench.eval.generate import model_fingerprint

    return model_fingerprint(path)


def device_name() -> str:
    """The device stage costs are labelled with: the GPU's name, or "cpu"."""
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"


def _done(folder: Path, force: bool) -> dict | None:
    marker = folder / DONE
    if marker.exists() and not force:
        return {**json.loads(marker.read_text()), "cached": True}
    return None


def _finish(folder: Path, extra: dict, seconds: float, devices: int, device: str) -> dict:
    record = {**extra, "seconds": seconds, "devices": devices, "device": device}
    write_json(folder / DONE, record)
    return {**record, "cached": False}

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
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from pdbench.infra.cache import content_key, frame_fingerprint, remember, stage_dir, stage_lock
from pdbench.infra.launch import Launch
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
    from pdbench.world.export import parse_export
    from pdbench.world.variants import parse_world_dataset

    export = parse_export(config.dataset)
    variant = parse_world_dataset(export[0] if export else config.dataset)
    # A world variant's key holds its config and a local file's its content, so editing either never reuses old pairs.
    identity = dataset_identity(config.dataset)
    key = content_key("pairs", PAIRING_VERSION, identity, variant and variant.identity(), config.conflict,
                      config.seed, config.world_prompts)
    is_file = identity.startswith("sha256:")
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
    context = StrategyContext(pairs, seed=config.seed, pd_config=config.pd, force=force, reward_base=reward_base(config))
    started = time.perf_counter()
    plan = make_plan(config.strategy, pairs, config.budget, context, strategy_paths)
    wall = time.perf_counter() - started
    metas = [getattr(context, name).meta for name in sorted(context.used)]
    parts = {f"{name}.{part}": seconds for name in sorted(context.used)
             for part, seconds in (getattr(context, name).meta.get("seconds") or {}).items()}
    seconds = sum(parts.values()) if context.used else wall
    # Recorded when the artifacts were computed: the children's device time (several GPUs train the reward
    # model), or the wall-clock on one device; the reward-model base's SFT apart.
    device_seconds = sum(m.get("device_seconds", sum((m.get("seconds") or {}).values())) for m in metas) \
        if context.used else wall
    cost = {"seconds": seconds, "parts": parts, "devices": 1, "device_seconds": device_seconds,
            "reward_base_device_seconds": sum(m.get("base_device_seconds", 0.0) for m in metas), "device": device_name(),
            "reward_model": next((m["rm_trained"] for m in metas if m.get("rm_trained")), None)}
    files = export_plan(pairs, plan, context, Path(out_dir)) + write_diagnostics(pairs, plan, context, Path(out_dir))
    return Selection(plan, context, cost, wall, files)


def reward_base(config: RunConfig):
    """The ``lm`` backend's ``RewardBase`` for this run (None for the embedding backend): prepared by
    ``reward_base_stage`` only when a reward model is trained, identified by its recipe in PD's cache key."""
    if config.pd.backend != "lm":
        return None
    from pdbench.infra.chat_templates import resolve_template
    from pdbench.infra.models import model_fingerprint
    from pdbench.pd.lm_backend import RewardBase

    launch = training_launch(config)
    is_sft = bool(config.sft.dataset) and config.sft.reward_model
    identity = ("reward-base", model_fingerprint(config.pd.lm_model),
                resolve_template(config.chat_template).jinja if config.chat_template else None,
                (dataset_identity(sft_dataset_path(config.sft.dataset, config.world_prompts)), config.sft.to_dict())
                if is_sft else None, launch.precision, launch.num_processes if is_sft else None)
    return RewardBase(lambda: reward_base_stage(config), identity, launch)


def training_launch(config: RunConfig) -> Launch:
    """How the run's training stages (SFT, reward models, DPO) start their processes: ``config.num_processes``
    under ``config.accelerate_config``, in the arithmetic of ``train.precision``."""
    from pdbench.training.launch import accelerate_config_path
    from pdbench.training.precision import resolve_precision

    return Launch(config.num_processes, accelerate_config_path(config.accelerate_config),
                  precision=resolve_precision(config.train.precision))


def initial_policy_stage(config: RunConfig, force: bool = False) -> tuple[str, dict]:
    """The policy alignment starts from: ``config.policy`` with its chat template, after the SFT stage if on."""
    return prepared_model_stage(config.policy, config, "policy", bool(config.sft.dataset), force)


def reward_base_stage(config: RunConfig, force: bool = False) -> tuple[str, dict]:
    """The ``lm`` backend's reward-model base: ``pd.lm_model`` with its chat template, after SFT when the SFT stage is
    on and ``sft.reward_model`` (the paper fine-tunes both Llamas on OpenHermes-2.5)."""
    return prepared_model_stage(config.pd.lm_model, config, "reward model",
                                bool(config.sft.dataset) and config.sft.reward_model, force)


def prepared_model_stage(spec: str, config: RunConfig, what: str, is_sft: bool, force: bool = False) -> tuple[str, dict]:
    """``spec`` resolved to a folder whose tokenizer has the chat template (``config.chat_template`` or its own),
    then fine-tuned on ``config.sft`` in its own process when ``is_sft``; returns (folder, stage record)."""
    from pdbench.infra.models import local_model_folder, needs_conversion, templated_model
    from pdbench.training.launch import run_sft

    started, is_converting = time.perf_counter(), needs_conversion(spec)  # an embedded GGUF, once per cache
    base = templated_model(local_model_folder(spec), config.chat_template, what)
    if not is_sft:
        return base, {"seconds": time.perf_counter() - started, "devices": 0, "device_seconds": 0.0, "device": "none",
                      "cached": not is_converting}
    launch = training_launch(config)
    sft = replace(config.sft, dataset=sft_dataset_path(config.sft.dataset, config.world_prompts))
    key = content_key("sft", _model_identity(base), dataset_identity(sft.dataset), config.sft.to_dict(),
                      launch.precision, launch.num_processes)
    folder = stage_dir("sft", key)
    with stage_lock(folder):
        record = _done(folder, force)
        if record is None:
            shutil.rmtree(folder, ignore_errors=True)
            outcome = run_sft(base, sft, folder / "work", launch)
            (folder / "work" / "model").rename(folder / "model")
            record = _finish(folder, {"global_step": outcome["global_step"], "log_history": outcome["log_history"],
                                      "zero3_partitioned": outcome["zero3_partitioned"], "what": what},
                             outcome["wall_seconds"], devices=outcome["devices"], device=device_name())
    return str(folder / "model"), record


def sft_dataset_path(spec: str, world_prompts: int) -> str:
    """The SFT data as something ``datasets`` loads: a Hub id or a file (``world@openhermes`` is written out first)."""
    from pdbench.world.export import export_file, parse_export

    return str(export_file(spec, world_prompts)) if parse_export(spec) else spec


def trained_policy_stage(config: RunConfig, pairs: pd.DataFrame, plan: Plan, force: bool = False) -> tuple[str, dict]:
    """The policy trained on ``plan`` (or the initial policy for objective ``none``), in its own process(es)."""
    from pdbench.training.launch import run_training

    policy, _ = initial_policy_stage(config)
    if plan.objective == "none":
        return policy, {"seconds": 0.0, "devices": 0, "device_seconds": 0.0, "device": "none", "cached": False}
    selected = planned_pairs(pairs, plan)
    folder = _trained_folder(config, policy, selected, plan)
    with stage_lock(folder):
        record = _done(folder, force)
        if record is None:
            shutil.rmtree(folder, ignore_errors=True)  # a half-finished attempt: start clean
            n_aspects = pairs["aspect"].nunique()
            launch = training_launch(config)
            with monitor() as system_metrics:
                outcome = run_training(policy, selected, plan.objective, n_aspects, config.train, folder / "work",
                                       launch)
            (folder / "work" / "model").rename(folder / "model")
            record = _finish(folder, {"global_step": outcome["global_step"], "system_metrics": system_metrics,
                                      "log_history": outcome["log_history"], "train_seconds": outcome["train_seconds"],
                                      "zero3_partitioned": outcome["zero3_partitioned"], "precision": launch.precision,
                                      "prefix_sharing": outcome["prefix_sharing"]},
                             outcome["wall_seconds"], devices=outcome["devices"], device=device_name())
    return str(folder / "model"), record


def is_trained(config: RunConfig, pairs: pd.DataFrame, plan: Plan) -> bool:
    """Whether the policy trained on ``plan`` is already in the cache (for estimating what a run has left)."""
    if plan.objective == "none":
        return True
    policy, _ = initial_policy_stage(config)
    return _done(_trained_folder(config, policy, planned_pairs(pairs, plan), plan), force=False) is not None


def _trained_folder(config: RunConfig, policy: str, selected: pd.DataFrame, plan: Plan) -> Path:
    from pdbench.training.precision import resolve_precision
    from pdbench.training.prefix_sharing import resolve_prefix_sharing

    # The arithmetic actually used, not "auto": a bf16 model and an fp32 one never share an entry.
    train = {**config.train.to_dict(), "precision": resolve_precision(config.train.precision)}
    # Prefix sharing rounds differently, so "on" is its own entry; "off" is the path every model cached before the
    # setting existed was trained on, so it leaves the field out and those entries keep their keys.
    if resolve_prefix_sharing(train.pop("prefix_sharing")):
        train["prefix_sharing"] = "on"
    key = content_key(
        "train", _model_identity(policy), frame_fingerprint(selected, ["prompt", "chosen", "rejected"]),
        plan.objective, list(plan.pd_term or ()), train, config.num_processes,
    )
    return stage_dir("trained", key)


def _model_identity(path: str) -> str:
    from pdbench.infra.models import model_fingerprint

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
    """Mark a stage folder complete with its cost: wall-clock ``seconds`` on ``devices`` (device-seconds = both)."""
    record = {**extra, "seconds": seconds, "devices": devices, "device_seconds": seconds * devices, "device": device}
    write_json(folder / DONE, record)
    return {**record, "cached": False}

"""Run configuration: the presets ``smoke``, ``tiny`` (default) and ``paper``, YAML files and flag overrides."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from eval.generate import DecodingConfig
from pdbench.pd.config import PDConfig
from pdbench.sft import SFTConfig
from pdbench.train import TrainConfig


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines one run (one cell of Table 1)."""

    preset: str = "tiny"
    """The preset this configuration started from."""
    strategy: str = "ours"
    """Registered strategy name."""
    conflict: float = 0.3
    """Conflict level of the pair set (paper: 0.1 / 0.2 / 0.3)."""
    budget: float = 0.3
    """Selection budget λ in (0, 1] (ignored by full-data strategies)."""
    seed: int = 0
    """Seed of pairing, reward models, selection and training."""
    dataset: str = "world"
    """world | ultrafeedback | helpsteer2 | PATH."""
    world_prompts: int = 1000
    """Training prompts of the built-in world."""
    policy: str = "smollm2-135m-instruct"
    """The SFT policy to align (model spec: embedded alias, HF id or path)."""
    baseline: str = "overall"
    """Pairwise baseline: ``overall`` (the paper's: the model trained by the overall strategy), ``sft`` or a model path."""
    eval_sets: str = "world"
    """``world`` (the held-out world families), ``paper`` (the five published sets) or comma-separated names."""
    eval_prompts_per_set: int = 40
    """Prompts per evaluation set (0 = all)."""
    judge: str = "rubric"
    """``rubric`` (world prompts only) or ``openai:MODEL``."""
    judge_base_url: str | None = None
    """OpenAI-compatible endpoint of the judge (None = OpenAI's)."""
    judge_api_key_env: str = "OPENAI_API_KEY"
    """Environment variable holding the judge's API key (never logged)."""
    alpaca_eval: bool = True
    """Also compute AlpacaEval-2-style WR / LC."""
    num_processes: int = 1
    """Training processes (GPUs); >1 relaunches under `accelerate launch`."""
    accelerate_config: str | None = None
    """accelerate config file (e.g. one of pdbench/accelerate_configs/) for multi-process training."""
    sft: SFTConfig = field(default_factory=SFTConfig)
    """Optional SFT of the policy before alignment (``sft.dataset`` set = on)."""
    pd: PDConfig = field(default_factory=PDConfig)
    """PD estimation settings."""
    train: TrainConfig = field(default_factory=TrainConfig)
    """DPO / DMPO settings."""
    decoding: DecodingConfig = field(default_factory=DecodingConfig)
    """Generation settings for evaluation."""

    def to_dict(self) -> dict:
        """Nested plain dict (YAML / JSON / MLflow params)."""
        return dataclasses.asdict(self)


PRESETS: dict[str, dict] = {
    "smoke": {
        "world_prompts": 60, "eval_prompts_per_set": 4, "baseline": "sft",
        "pd": {"epochs": 100},
        "train": {"learning_rate": 5e-6, "batch_size": 4, "per_device_batch_size": 4, "max_length": 256,
                  "max_steps": 2, "warmup_ratio": 0.0},
        "decoding": {"max_new_tokens": 24, "batch_size": 10},
    },
    # Tiny-scale training values are ours (the paper's 5e-7 barely moves a 135M model in one
    # epoch of ~300 pairs). At 5e-6 the `overall` model still scored WR 50.2 against the SFT
    # policy on the world (a pilot on one seed); at 2e-5 it reaches 53.1 ± 2.5 and `all` 57-60
    # over three seeds (docs/results-tiny.md), so 2e-5 it is. Decoding batches of 64 (was 16): on 2
    # CPU cores a decoding step costs about a read of the weights, so fuller batches are far faster
    # (benchmarks/generation_batching.py).
    "tiny": {
        "train": {"learning_rate": 2e-5, "batch_size": 8, "per_device_batch_size": 4, "max_length": 512},
        "decoding": {"max_new_tokens": 64, "batch_size": 64},
    },
    # The paper SFTs both Llamas on OpenHermes-2.5 first (App. B.3): point policy / lm_model at
    # those checkpoints. Its judge is Qwen2-Max, here through DashScope's OpenAI-compatible API.
    "paper": {
        "dataset": "ultrafeedback",
        "policy": "meta-llama/Llama-3.1-8B",
        "eval_sets": "paper", "eval_prompts_per_set": 0,
        "judge": "openai:qwen-max",
        "judge_base_url": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        "judge_api_key_env": "DASHSCOPE_API_KEY",
        "pd": {"backend": "lm", "lm_model": "meta-llama/Llama-3.2-3B"},
        "train": {},  # TrainConfig's defaults are the paper's (App. B.3)
        "decoding": {"max_new_tokens": 2048, "batch_size": 32, "use_vllm": True},
        "num_processes": 8,
        "accelerate_config": "deepspeed_zero3.yaml",
    },
}
"""Preset name -> overrides of RunConfig's defaults (nested dicts for pd / train / decoding)."""

_NESTED = {"sft": SFTConfig, "pd": PDConfig, "train": TrainConfig, "decoding": DecodingConfig}


def resolve_config(preset: str = "tiny", config_file: str | Path | None = None, **overrides) -> RunConfig:
    """Preset, then the YAML file, then explicit overrides (``None`` values are ignored)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    merged = _merge({"preset": preset}, PRESETS[preset])
    if config_file:
        loaded = yaml.safe_load(Path(config_file).read_text()) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{config_file}: expected a mapping of RunConfig fields")
        merged = _merge(merged, loaded)
    merged = _merge(merged, {k: v for k, v in overrides.items() if v is not None})
    return _build(RunConfig, merged, "config")


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def _build(cls, values: dict, where: str):
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown {where} field(s) {sorted(unknown)}; known: {sorted(known)}")
    kwargs = {
        name: _build(_NESTED[name], value, name) if name in _NESTED and isinstance(value, dict) else value
        for name, value in values.items()
    }
    return cls(**kwargs)

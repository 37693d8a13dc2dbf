"""Run configuration: the presets ``smoke``, ``tiny`` (default), ``paper`` and ``paper-mini``, YAML files and flag
overrides."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from pdbench.eval.config import AlpacaEvalConfig, DecodingConfig, EvalConfig, JudgeConfig, check_judge_fits, load_judge
from pdbench.pd.config import PDConfig
from pdbench.training.config import PRECISIONS, PREFIX_SHARING, SFTConfig, TrainConfig


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
    eval_sets: str = EvalConfig.sets
    """``world`` (the held-out world families), ``paper`` (the five published sets) or comma-separated names."""
    eval_prompts_per_set: int = EvalConfig.prompts_per_set
    """Prompts per evaluation set (0 = all)."""
    max_invalid_share: float = EvalConfig.max_invalid_share
    """Share of unparseable judge verdicts above which the evaluation fails; a run warns from 5 %."""
    alpaca_eval: bool = True
    """Also compute AlpacaEval-2-style WR / LC."""
    alpaca: AlpacaEvalConfig = field(default_factory=AlpacaEvalConfig)
    """Who annotates AlpacaEval and against which reference (``pdbench.eval.config.AlpacaEvalConfig``)."""
    chat_template: str | None = None
    """Chat template for checkpoints without one (the paper's base Llamas): ``chatml``, ``llama3`` or a ``.jinja``
    file; applied alike in SFT, reward-model training, DPO and generation, and saved with the SFT checkpoint
    (``pdbench.infra.chat_templates``). None: each model's own (a model without one fails before any compute)."""
    num_processes: int = 1
    """Training processes (GPUs); >1 relaunches under `accelerate launch`."""
    accelerate_config: str | None = None
    """accelerate config file (e.g. one of pdbench/training/accelerate_configs/) for multi-process training."""
    sft: SFTConfig = field(default_factory=SFTConfig)
    """Optional SFT of the policy before alignment (``sft.dataset`` set = on)."""
    pd: PDConfig = field(default_factory=PDConfig)
    """PD estimation settings."""
    train: TrainConfig = field(default_factory=TrainConfig)
    """DPO / DMPO settings."""
    decoding: DecodingConfig = field(default_factory=DecodingConfig)
    """Generation settings for evaluation."""
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    """Who judges: ``rubric`` (world prompts only), or a model at an OpenAI-compatible endpoint. In YAML and
    on the command line a name (a shipped judge such as ``qwen-max``, ``openai:MODEL`` or a judge YAML file)
    or a mapping of ``JudgeConfig`` fields."""

    def __post_init__(self):
        _validate(self, "")
        try:
            check_judge_fits(self.judge, self.evaluation)
        except ValueError as error:
            raise ConfigError("judge", str(error)) from None
        if self.alpaca.annotator is None:  # resolved once, here: the rubric where it can rate, else AlpacaEval's own
            annotator = "rubric" if self.eval_sets == "world" else "weighted_alpaca_eval_gpt4_turbo"
            object.__setattr__(self, "alpaca", dataclasses.replace(self.alpaca, annotator=annotator))
        if self.alpaca_eval and self.alpaca.is_rubric and self.eval_sets != "world":
            raise ConfigError("alpaca.annotator", f"alpaca.annotator: the rubric only annotates world prompts, not "
                              f"{self.eval_sets!r}; use an alpaca_eval annotator (weighted_alpaca_eval_gpt4_turbo) "
                              "or `judge`")
        if self.alpaca_eval and self.alpaca.annotator == "judge" and self.judge.kind == "rubric":
            raise ConfigError("alpaca.annotator", "alpaca.annotator: `judge` needs a model judge (an openai-kind judge), "
                              "not the rubric; for the rubric set alpaca.annotator: rubric")
        if self.chat_template is not None:
            from pdbench.infra.chat_templates import ChatTemplateError, resolve_template

            try:
                resolve_template(self.chat_template)
            except ChatTemplateError as error:
                raise ConfigError("chat_template", str(error)) from None
        for path, setting in (("decoding.server", self.decoding.server), ("judge.serve", self.judge.serve)):
            if setting is not None and setting not in SERVER_NAMES and "{model}" not in setting:
                raise ConfigError(path, f"{path}: {', '.join(SERVER_NAMES)} or a command template with {{model}} "
                                  f"and {{port}}, got {setting!r}")

    @property
    def evaluation(self) -> EvalConfig:
        """What the evaluation asks (eval's own config)."""
        return EvalConfig(self.eval_sets, self.eval_prompts_per_set, self.max_invalid_share)

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
    # over three seeds (docs/results-tiny.md), so 2e-5 it is. Decoding batches of 256 (was 16): the
    # evaluation's 200 prompts in one pass, finished answers dropped from the batch; on 2 CPU cores
    # 2.55x the tokens/s of batches of 16 with the same answers (benchmarks/generation_batching.py,
    # docs/cost.md), peak RSS 2.4 GB.
    "tiny": {
        "train": {"learning_rate": 2e-5, "batch_size": 8, "per_device_batch_size": 4, "max_length": 512},
        "decoding": {"max_new_tokens": 64, "batch_size": 256},
    },
    # The paper (App. B.3): both base Llamas SFT'd on OpenHermes-2.5 (SFTConfig's defaults are its recipe), then
    # the 3B as the all-in-one reward model and the 8B aligned by DPO (TrainConfig's defaults), on 8 GPUs with
    # DeepSpeed ZeRO-3. The base checkpoints have no chat template: Llama 3's turn format is ours (the paper names
    # none). Generation by vLLM, served from its own environment; the judge is Qwen2-Max through DashScope's
    # OpenAI-compatible API; AlpacaEval 2 with its own GPT-4-turbo annotator (the paper names GPT-4o; any
    # alpaca_eval annotator config can be set).
    "paper": {
        "dataset": "ultrafeedback",
        "policy": "meta-llama/Llama-3.1-8B",
        "chat_template": "llama3",
        "sft": {"dataset": "teknium/OpenHermes-2.5"},
        "eval_sets": "paper", "eval_prompts_per_set": 0,
        "judge": "qwen-max",  # eval/judges/configs/qwen-max.yaml
        "alpaca": {"annotator": "weighted_alpaca_eval_gpt4_turbo"},  # also the default off world prompts
        "pd": {"backend": "lm", "lm_model": "meta-llama/Llama-3.2-3B"},
        "train": {},  # TrainConfig's defaults are the paper's (App. B.3)
        "decoding": {"max_new_tokens": 2048, "batch_size": 32, "server": "vllm"},
        "num_processes": 8,
        "accelerate_config": "deepspeed_zero3.yaml",
    },
    # The paper preset with small parts and nothing else changed, so that every paper-scale code path runs offline
    # on 2 CPU cores (or one GPU: --num-processes 1): the world exported as UltraFeedback and OpenHermes-2.5 files;
    # SmolLM2-135M saved without its chat template as both base checkpoints; both SFT'd (the paper's recipe, 128
    # conversations); PD from the all-in-one LM reward model; SFT, reward model and DPO each in 2 processes under
    # the paper's ZeRO-3 config; generation and judging by `transformers serve` processes pdbench starts; AlpacaEval
    # through alpaca_eval's own code with the served judge as annotator. A 135M judge mostly fails the paper's
    # score format (its verdicts count as ties), hence max_invalid_share 1: paper-mini proves the path, not results.
    "paper-mini": {
        "dataset": "world@ultrafeedback", "world_prompts": 100,
        "policy": "smollm2-135m-notemplate",
        "chat_template": "chatml",
        "sft": {"dataset": "world@openhermes", "max_samples": 128},
        "eval_sets": "world", "eval_prompts_per_set": 4, "max_invalid_share": 1.0,
        "judge": {"name": "served-smollm2", "kind": "openai", "model": "smollm2-135m-instruct",
                  "serve": "transformers", "max_tokens": 32, "max_retries": 1, "timeout_s": 300.0},
        "alpaca": {"annotator": "judge"},
        "pd": {"backend": "lm", "lm_model": "smollm2-135m-notemplate"},
        "train": {},
        "decoding": {"max_new_tokens": 64, "batch_size": 8, "server": "transformers"},
        "num_processes": 2,
        "accelerate_config": "deepspeed_zero3.yaml",
    },
}
"""Preset name -> overrides of RunConfig's defaults (nested dicts for pd / train / decoding)."""

_NESTED = {"sft": SFTConfig, "pd": PDConfig, "train": TrainConfig, "decoding": DecodingConfig, "judge": JudgeConfig,
           "alpaca": AlpacaEvalConfig}
SERVER_NAMES = ("transformers", "vllm")
"""Named server settings (``pdbench.eval.serving.SERVER_TEMPLATES``; this module imports no torch)."""


class ConfigError(ValueError):
    """A configuration value of the wrong type or out of range; ``path`` is its dotted field name."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


_RANGES: dict[str, tuple[typing.Callable[[float], bool], str]] = {
    "budget": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "conflict": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "seed": (lambda v: v >= 0, ">= 0"),
    "world_prompts": (lambda v: v >= 1, ">= 1"),
    "eval_prompts_per_set": (lambda v: v >= 0, ">= 0 (0 = all)"),
    "num_processes": (lambda v: v >= 1, ">= 1"),
    "judge.timeout_s": (lambda v: v > 0, "> 0"),
    "judge.max_retries": (lambda v: v >= 0, ">= 0"),
    "judge.temperature": (lambda v: v >= 0, ">= 0"),
    "judge.max_tokens": (lambda v: v >= 1, ">= 1"),
    "max_invalid_share": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "train.beta": (lambda v: v > 0, "> 0"),
    "train.learning_rate": (lambda v: v > 0, "> 0"),
    "train.epochs": (lambda v: v > 0, "> 0"),
    "train.warmup_ratio": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "train.batch_size": (lambda v: v >= 1, ">= 1"),
    "train.per_device_batch_size": (lambda v: v >= 1, ">= 1"),
    "train.max_length": (lambda v: v >= 1, ">= 1"),
    "train.max_steps": (lambda v: v == -1 or v >= 1, "-1 (run the epochs) or >= 1"),
    "train.lora_r": (lambda v: v >= 1, ">= 1"),
    "train.precision": (lambda v: v in PRECISIONS, f"{', '.join(PRECISIONS[:-1])} or {PRECISIONS[-1]}"),
    "train.prefix_sharing": (lambda v: v in PREFIX_SHARING, f"{', '.join(PREFIX_SHARING[:-1])} or {PREFIX_SHARING[-1]}"),
    "sft.batch_size": (lambda v: v >= 1, ">= 1"),
    "sft.per_device_batch_size": (lambda v: v >= 1, ">= 1"),
    "sft.max_steps": (lambda v: v == -1 or v >= 1, "-1 (run the epochs) or >= 1"),
    "sft.max_length": (lambda v: v >= 1, ">= 1"),
    "sft.max_samples": (lambda v: v >= 0, ">= 0 (0 = all)"),
    "decoding.server_start_timeout_s": (lambda v: v > 0, "> 0"),
    "pd.p_r": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "pd.gamma": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "pd.tau": (lambda v: v > 0, "> 0"),
    "pd.epochs": (lambda v: v >= 1, ">= 1"),
    "decoding.max_new_tokens": (lambda v: v >= 1, ">= 1"),
    "decoding.temperature": (lambda v: v >= 0, ">= 0 (0 = greedy)"),
    "decoding.top_p": (lambda v: 0 < v <= 1, "in (0, 1]"),
    "decoding.batch_size": (lambda v: v >= 1, ">= 1"),
}
"""Allowed ranges of numeric fields, checked when the configuration is built (before any compute)."""


def resolve_config(preset: str = "tiny", config_file: str | Path | None = None, **overrides) -> RunConfig:
    """Preset, then the YAML file, then explicit overrides (``None`` values are ignored).

    A ``judge`` given as a name (``rubric``, ``openai:MODEL``, a shipped judge, a YAML path) or as a mapping
    with ``kind`` replaces the judge; a mapping without ``kind`` changes single fields. The RunConfig checks
    itself when built; an error names the field, and the file when the value came from it.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    merged = _apply({"preset": preset}, PRESETS[preset])
    loaded = _load_yaml(Path(config_file)) if config_file else {}
    try:
        merged = _apply(merged, loaded)
    except ValueError as error:
        raise ConfigError("judge", f"{config_file}: {error}") from None
    merged = _apply(merged, {k: v for k, v in overrides.items() if v is not None})
    try:
        return _build(RunConfig, merged, "")
    except ConfigError as error:
        if _holds(loaded, error.path):
            raise ConfigError(error.path, f"{config_file}: {error}") from None
        raise


def _apply(base: dict, layer: dict) -> dict:
    """``layer`` merged onto ``base``. A judge named by a string is loaded; a judge that says its ``kind``
    (a loaded one, or a whole mapping) replaces the one before instead of changing its fields."""
    layer = dict(layer)
    if isinstance(layer.get("judge"), str):
        layer["judge"] = load_judge(layer["judge"])
    if isinstance(layer.get("judge"), dict) and "kind" in layer["judge"]:
        base = {**base, "judge": {}}
    return _merge(base, layer)


def _load_yaml(path: Path) -> dict:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(f"{path}: not valid YAML{where}: {getattr(error, 'problem', None) or error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read ({error})") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of RunConfig fields, got {type(loaded).__name__}")
    return loaded


def _holds(values: dict, path: str) -> bool:
    for part in path.split("."):
        if not isinstance(values, dict) or part not in values:
            return False
        values = values[part]
    return True


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def _build(cls, values: dict, prefix: str):
    """Build dataclass ``cls`` from ``values`` (``prefix``: dotted parent), refusing unknown names; the
    values' types and ranges are checked by RunConfig itself (``_validate``)."""
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        where = prefix.rstrip(".") or "config"
        raise ConfigError(f"{prefix}{min(unknown)}", f"unknown {where} field(s) {sorted(unknown)}; known: {sorted(known)}")
    kwargs = {}
    for name, value in values.items():
        path = f"{prefix}{name}"
        if name in _NESTED and not prefix:
            if not isinstance(value, dict):
                raise ConfigError(path, f"{path}: expected a mapping of {_NESTED[name].__name__} fields, got {value!r}")
            try:
                kwargs[name] = _build(_NESTED[name], value, f"{path}.")
            except ConfigError:  # already names its field
                raise
            except ValueError as error:  # the nested config's own check (e.g. a judge without a model)
                raise ConfigError(path, f"{path}: {error}") from None
            continue
        kwargs[name] = value
    return cls(**kwargs)


def _validate(config, prefix: str) -> None:
    """Check every field of ``config`` and its nested configs against its type and ``_RANGES``; an int given
    for a float becomes a float (so equal configurations have equal cache keys)."""
    hints = typing.get_type_hints(type(config))
    for item in fields(config):
        value, path = getattr(config, item.name), f"{prefix}{item.name}"
        if dataclasses.is_dataclass(value) and isinstance(hints[item.name], type):
            _validate(value, f"{path}.")
            continue
        checked = _checked(path, value, hints[item.name])
        if checked is not value:
            object.__setattr__(config, item.name, checked)


def _checked(path: str, value, hint):
    """``value`` if it fits the type ``hint`` (an int is accepted as a float) and its range; else ConfigError."""
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    if float in allowed and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not any(isinstance(value, t) and not (t is int and isinstance(value, bool)) for t in allowed):
        names = " or ".join("null" if t is type(None) else t.__name__ for t in allowed)
        raise ConfigError(path, f"{path}: expected {names}, got {value!r}")
    check = _RANGES.get(path)
    if check and not check[0](value):
        raise ConfigError(path, f"{path}: must be {check[1]}, got {value!r}")
    return value

"""Evaluation's own configuration: how answers are decoded, which sets are asked, and who judges.

A judge is configured like alpaca_eval's annotators: a named YAML file (model, endpoint, API-key
variable, temperature, prompt file, timeout, retries). Named judges ship in ``judges/configs/``
(``pdbench eval --help`` lists them); a path to a YAML file of the same fields works too, and so do
the shorthands ``rubric`` (the world's gold rubric, in process) and ``openai:MODEL`` (a model at
OpenAI's endpoint). ``pdbench run`` and ``pdbench eval`` build a judge from the same ``JudgeConfig``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from pdbench.eval.verdicts import MAX_INVALID_SHARE

JUDGE_CONFIG_DIR = Path(__file__).resolve().parent / "judges" / "configs"
"""Named judge YAML files shipped with pdbench (``qwen-max``, ``local-serve`` ...)."""


@dataclass(frozen=True)
class DecodingConfig:
    """How answers are sampled."""

    max_new_tokens: int = 256
    """Longest answer, in tokens."""
    temperature: float = 0.0
    """0 = greedy decoding."""
    top_p: float = 1.0
    """Nucleus sampling mass (used only when temperature > 0)."""
    seed: int = 0
    """Sampling seed."""
    batch_size: int = 8
    """Prompts per forward pass."""
    drop_finished: bool = True
    """Greedy decoding takes finished answers out of the batch (and its KV cache), so the rest decode on
    fewer rows; False = transformers' ``generate``, which decodes every row until the longest answer ends.
    Same answers up to float rounding (``benchmarks/generation_batching.py`` counts any that differ).
    Sampling always uses ``generate``."""
    server: str | None = None
    """Who generates. None: this process, with transformers. ``transformers`` or ``vllm``: pdbench serves each model
    with ``transformers serve`` or ``vllm serve`` (vLLM from its own environment: ``$PDBENCH_VLLM`` or the ``vllm``
    on PATH), asks it over the OpenAI API and stops it (``pdbench.eval.serving``); or a command template of your own
    with ``{model}``, ``{port}``, ``{gpus}``, ``{seed}``. Never a silent fallback: a server that cannot start fails
    the stage, naming its log."""
    server_start_timeout_s: float = 900.0
    """How long a server may take to load its model and answer its health check."""


@dataclass(frozen=True)
class EvalConfig:
    """Which prompts a pairwise evaluation asks, and how many unreadable verdicts it tolerates."""

    sets: str = "world"
    """``world`` (the held-out world families), ``paper`` (the five published sets) or comma-separated names."""
    prompts_per_set: int = 40
    """Prompts per evaluation set (0 = all)."""
    max_invalid_share: float = MAX_INVALID_SHARE
    """Share of unparseable judge verdicts above which the evaluation fails (warns from 5 %)."""


@dataclass(frozen=True)
class JudgeConfig:
    """Who judges a pair of answers: the world rubric, or a model behind an OpenAI-compatible endpoint."""

    name: str = "rubric"
    """What the judge is called in results and on the leaderboard (the YAML file's name, ``rubric`` or
    ``openai:MODEL``)."""
    kind: str = "rubric"
    """``rubric`` (world prompts only, exact and free) or ``openai`` (any OpenAI-compatible endpoint)."""
    model: str | None = None
    """Model name at the endpoint (the paper: Qwen2-Max; e.g. gpt-4o, qwen-max)."""
    base_url: str | None = None
    """OpenAI-compatible endpoint; None = OpenAI's."""
    api_key_env: str = "OPENAI_API_KEY"
    """Environment variable that holds the API key (its value is never logged)."""
    prompt_file: str = "pairwise_b2.txt"
    """Prompt template in eval/prompts/ (or a path) with {instruction}, {response_1}, {response_2}."""
    temperature: float = 0.0
    """Sampling temperature of the judge; 0 for repeatable verdicts."""
    max_tokens: int = 512
    """Longest judge reply; the scores come on its first line."""
    timeout_s: float = 120.0
    """Seconds one request may take (a long pairwise reply at a busy hosted API needs ~1 min)."""
    max_retries: int = 6
    """Retries on rate limits, 5xx answers, timeouts and dropped connections, with exponential backoff
    (Retry-After honoured). A hanging endpoint is caught at the start of a run by the endpoint check."""
    serve: str | None = None
    """None: the endpoint runs elsewhere (``base_url``). ``transformers``, ``vllm`` or a command template (as
    ``DecodingConfig.server``): pdbench serves ``model`` (a path, Hub id or embedded alias) on this machine while
    the run judges, then stops it; ``base_url`` is then the server's."""

    def __post_init__(self):
        if self.kind not in ("rubric", "openai"):
            raise ValueError(f"judge {self.name!r}: kind must be rubric or openai, got {self.kind!r}")
        if self.kind == "openai" and not self.model:
            raise ValueError(f"judge {self.name!r}: an openai judge needs a model")

    def to_dict(self) -> dict:
        """Plain dict (YAML / JSON); holds the key's variable name, never its value."""
        return asdict(self)


@dataclass(frozen=True)
class AlpacaEvalConfig:
    """How AlpacaEval 2's WR and LC are computed."""

    annotator: str | None = None
    """None: ``rubric`` on world prompts, AlpacaEval 2's own ``weighted_alpaca_eval_gpt4_turbo`` on others (the run's
    configuration resolves it). ``rubric``: the world's gold rubric on world prompts, scored with alpaca_eval's
    minimal LC (tiny scale).
    ``judge``: alpaca_eval's own annotation code (``alpaca_eval.evaluate``, its classifier prompt, its cache)
    with the run's judge as the annotator (served or remote). Otherwise an alpaca_eval annotator config name
    (``weighted_alpaca_eval_gpt4_turbo``, AlpacaEval 2's own, reads ``$OPENAI_API_KEY``) or a configs.yaml path."""
    reference_file: str | None = None
    """AlpacaEval's 805 instructions with GPT-4-turbo's reference answers (``gpt4_turbo_reference.json``); None =
    found in ``$PDBENCH_EVAL_DIR`` or the cache (``pdbench prepare`` puts it there). On world prompts the initial
    policy's answers are the reference instead, written to a file for alpaca_eval."""
    api_key_env: str = "OPENAI_API_KEY"
    """The variable a named annotator's key is read from (checked before any training; never logged)."""

    @property
    def is_rubric(self) -> bool:
        """Whether the gold rubric annotates (no alpaca_eval annotator, no requests)."""
        return self.annotator == "rubric"

    @property
    def is_named(self) -> bool:
        """Whether an alpaca_eval annotator config (not the rubric, not the run's judge) annotates."""
        return self.annotator not in ("rubric", "judge")


def check_judge_fits(judge: JudgeConfig, evaluation: EvalConfig) -> None:
    """Raise ValueError when ``judge`` cannot rate ``evaluation``'s prompts (the rubric knows only world prompts)."""
    if judge.kind == "rubric" and evaluation.sets != "world":
        raise ValueError(f"the rubric judge only rates world prompts, not {evaluation.sets!r}; use an API judge "
                         "(e.g. --judge qwen-max or openai:MODEL)")


def shipped_judges() -> list[str]:
    """Names of the judge YAML files that ship with pdbench."""
    return sorted(p.stem for p in JUDGE_CONFIG_DIR.glob("*.yaml"))


def load_judge(spec: str) -> dict:
    """The fields of the judge named by ``spec``: ``rubric``, ``openai:MODEL``, a shipped name or a YAML path.

    Returns a dict (so a run configuration can override single fields before the JudgeConfig is built).
    """
    if spec == "rubric":
        return {"name": "rubric", "kind": "rubric"}
    if spec.startswith("openai:"):
        return {"name": spec, "kind": "openai", "model": spec.split(":", 1)[1]}
    path = JUDGE_CONFIG_DIR / f"{spec}.yaml"
    if not path.is_file():
        path = Path(spec)
        if not path.is_file():
            raise ValueError(f"unknown judge {spec!r}: use rubric, openai:MODEL, a YAML file, or one of "
                             f"{', '.join(shipped_judges())}")
    try:
        fields = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(fields, dict):
        raise ValueError(f"{path}: expected a mapping of JudgeConfig fields")
    return {"name": path.stem, "kind": "openai", **fields}

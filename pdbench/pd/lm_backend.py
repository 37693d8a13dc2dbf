"""The ``lm`` reward-model backend: a causal LM with a scalar head, trained by TRL's RewardTrainer.

This is the paper's setup (App. B.3): one "all-in-one" model for every aspect, the aspect chosen
by a system prompt. Eq. 17's length term needs no custom loss: RewardTrainer already computes
-log σ(r_w - r_l - margin) when the dataset has a ``margin`` column, and margin = ρ·Δlen.
"""

from __future__ import annotations

import json
import tempfile
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pdbench.infra.launch import Launch, run_child
from pdbench.pd.config import PDConfig

ASPECT_SYSTEM_PROMPTS = {
    "helpfulness": (
        "You are a helpful and proactive AI assistant. Your overriding principle is ensuring user success. "
        "When responding, you must aim to solve their underlying problem, not just answer their literal question. "
        "Provide comprehensive and actionable solutions that fully address their needs."
    ),
    "honesty": (
        "You are an honest AI assistant. Your overriding principle is transparency. When responding, you must not "
        "invent personal experiences or emotions. If you don't know an answer or cannot fulfill a request, state it clearly."
    ),
    "instruction_following": (
        "You are a meticulous and precise AI assistant. Your overriding principle is strict adherence to instructions. "
        "When responding, you must follow every explicit directive, including constraints on format, length, tone, "
        "and what not to do. Pay close attention to every detail of the request."
    ),
    "truthfulness": (
        "You are a fact-focused and rigorous AI assistant. Your overriding principle is factual accuracy. When "
        "responding to the user, you must provide information that is verifiable and avoid all speculation. If you "
        "are not certain about a fact, state that clearly. Never fabricate information."
    ),
}
"""The paper's App. B.3 system prompts, verbatim."""


def system_prompt(aspect: str | None) -> str | None:
    """The system prompt that selects an aspect; other datasets' aspects get a generic one."""
    if aspect is None:
        return None
    return ASPECT_SYSTEM_PROMPTS.get(aspect, f"You are an AI assistant. Your overriding principle is {aspect.replace('_', ' ')}.")


def conversation(prompt: str, aspect: str | None) -> list[dict]:
    """The prompt turns the reward model sees for one aspect."""
    system = system_prompt(aspect)
    return ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]


@dataclass(frozen=True)
class RewardBase:
    """Where the ``lm`` backend's reward models start from, prepared only when they are trained.

    The pipeline's reward-model base is a stage of its own (chat template, SFT), run on first need so that a run
    whose PD comes from the cache never prepares it; ``identity`` says what determines it, for PD's cache key.
    """

    prepare: Callable[[], tuple[str, dict]]
    """Returns the base model's folder and the stage record of preparing it (its SFT's cost ...)."""
    identity: tuple
    """What determines the base (model spec, chat template, SFT data and settings, arithmetic)."""
    launch: Launch = Launch()
    """How training and scoring children start."""


class LMBackend:
    """Reward models fine-tuned from a causal LM (one all-in-one model, or one per aspect).

    Training and scoring each run in a child process (``pdbench.pd.reward_entry``, started as the base's
    ``launch`` says: several processes and DeepSpeed ZeRO-3 for training, one process for scoring), so the main
    process holds no model. The trained models live in a work folder under the cache until this backend is dropped.
    """

    def __init__(self, config: PDConfig, base: RewardBase | None = None):
        from transformers import AutoTokenizer

        from pdbench.infra.models import resolve_model_path

        self.config = config
        self.launch = base.launch if base else Launch()
        self.model_path, self.base_record = base.prepare() if base else (resolve_model_path(config.lm_model), {})
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        self._work = tempfile.TemporaryDirectory(prefix="pdbench-rm-", dir=_work_root())
        weakref.finalize(self, self._work.cleanup)
        self.trained: dict = {}
        """How the last reward model trained: its processes and whether ZeRO-3 partitioned it (rank 0's record)."""
        self.device_seconds = 0.0
        """Their wall-clock x the devices each used (GPU-seconds on GPUs)."""

    def lengths(self, texts: list[str]) -> np.ndarray:
        """Response lengths in tokens of the reward model's tokenizer."""
        return np.array([len(ids) for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]])

    def fit(self, samples: Mapping[str | None, pd.DataFrame], rho: float, seed: int) -> dict:
        """Train the reward model(s); returns key -> (model folder, key)."""
        if self.config.lm_all_in_one:
            model = self._train(samples, rho, seed)
            return {key: (model, key) for key in samples}
        return {key: (self._train({key: frame}, rho, seed), key) for key, frame in samples.items()}

    def gaps(self, head, pairs: pd.DataFrame) -> np.ndarray:
        """r(chosen) - r(rejected) per pair under the head's aspect system prompt."""
        return self.gaps_many([head], pairs)[0]

    def gaps_many(self, heads: list, pairs: pd.DataFrame) -> list[np.ndarray]:
        """``gaps`` for several heads, each model scored in one child process for all its aspects."""
        by_model: dict[str, list[str | None]] = {}
        for model, aspect in heads:
            by_model.setdefault(model, []).append(aspect)
        scored = {}
        for model, aspects in by_model.items():
            folder = Path(model).parent / f"score-{len(list(Path(model).parent.glob('score-*')))}"
            folder.mkdir()
            pairs[["prompt", "chosen", "rejected"]].to_parquet(folder / "pairs.parquet", index=False)
            job = {"action": "score", "model": model, "aspects": aspects, "max_length": self.config.lm_max_length}
            (folder / "job.json").write_text(json.dumps(job))
            self._run(folder, self.launch.single(), "scoring")
            gaps = np.load(folder / "gaps.npy")
            scored.update({(model, aspect): gaps[i] for i, aspect in enumerate(aspects)})
        return [scored[(model, aspect)] for model, aspect in heads]

    def _train(self, samples: Mapping[str | None, pd.DataFrame], rho: float, seed: int) -> str:
        from datasets import Dataset

        rows = []
        for aspect, frame in samples.items():
            delta = self.lengths(list(frame["chosen"])) - self.lengths(list(frame["rejected"]))
            for (prompt, chosen, rejected), d in zip(frame[["prompt", "chosen", "rejected"]].itertuples(index=False), delta):
                rows.append({
                    "prompt": conversation(prompt, aspect),
                    "chosen": [{"role": "assistant", "content": chosen}],
                    "rejected": [{"role": "assistant", "content": rejected}],
                    "margin": float(rho * d),
                })
        folder = Path(self._work.name) / f"rm-{len(list(Path(self._work.name).glob('rm-*')))}"
        folder.mkdir()
        Dataset.from_list(rows).save_to_disk(str(folder / "train_dataset"))
        job = {"action": "train", "model_path": self.model_path, "config": self.config.to_dict(), "seed": seed,
               "precision": self.launch.precision, "num_processes": self.launch.num_processes}
        (folder / "job.json").write_text(json.dumps(job))
        self._run(folder, self.launch, "training")
        self.trained = {**json.loads((folder / "rank-0.json").read_text()), "processes": self.launch.num_processes}
        return str(folder / "model")

    def _run(self, folder: Path, launch: Launch, part: str) -> None:
        seconds = run_child("pdbench.pd.reward_entry", folder, launch, f"reward model {part}")
        self.device_seconds += seconds * launch.num_processes


def _work_root() -> Path:
    """Where trained reward models wait to be scored: beside the cache (a 3B model does not fit every /tmp)."""
    from pdbench.infra.cache import cache_root

    root = cache_root() / "work"
    root.mkdir(parents=True, exist_ok=True)
    return root

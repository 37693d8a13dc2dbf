"""The ``lm`` reward-model backend: a causal LM with a scalar head, trained by TRL's RewardTrainer.

This is the paper's setup (App. B.3): one "all-in-one" model for every aspect, the aspect chosen
by a system prompt. Eq. 17's length term needs no custom loss: RewardTrainer already computes
-log σ(r_w - r_l - margin) when the dataset has a ``margin`` column, and margin = ρ·Δlen.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

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


class LMBackend:
    """Reward models fine-tuned from a causal LM (one all-in-one model, or one per aspect)."""

    def __init__(self, config: PDConfig):
        from transformers import AutoTokenizer

        from pdbench.infra.models import resolve_model_path

        self.config = config
        self.model_path = resolve_model_path(config.lm_model)
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.device = "cuda" if torch.cuda.is_available() else "cpu"

    def lengths(self, texts: list[str]) -> np.ndarray:
        """Response lengths in tokens of the reward model's tokenizer."""
        return np.array([len(ids) for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]])

    def fit(self, samples: Mapping[str | None, pd.DataFrame], rho: float, seed: int) -> dict:
        """Train the reward model(s); returns key -> (model, key)."""
        if self.config.lm_all_in_one:
            model = self._train(samples, rho, seed)
            return {key: (model, key) for key in samples}
        return {key: (self._train({key: frame}, rho, seed), key) for key, frame in samples.items()}

    def gaps(self, head, pairs: pd.DataFrame) -> np.ndarray:
        """r(chosen) - r(rejected) per pair under the head's aspect system prompt."""
        model, aspect = head
        return self._score(model, pairs, "chosen", aspect) - self._score(model, pairs, "rejected", aspect)

    def _train(self, samples: Mapping[str | None, pd.DataFrame], rho: float, seed: int):
        from datasets import Dataset
        from trl import RewardConfig, RewardTrainer

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
        config = self.config
        n_devices = max(1, torch.cuda.device_count())
        accumulation = max(1, config.lm_batch_size // (config.lm_per_device_batch_size * n_devices))
        on_gpu = self.device == "cuda"
        with tempfile.TemporaryDirectory(prefix="pdbench-rm-") as output_dir:
            args = RewardConfig(
                output_dir=output_dir, seed=seed, learning_rate=config.lm_learning_rate,
                per_device_train_batch_size=config.lm_per_device_batch_size,
                gradient_accumulation_steps=accumulation, num_train_epochs=config.lm_epochs,
                warmup_steps=config.lm_warmup_ratio, lr_scheduler_type="cosine", max_length=config.lm_max_length,
                bf16=on_gpu, use_cpu=not on_gpu, gradient_checkpointing=on_gpu,
                report_to=[], save_strategy="no", logging_steps=10, disable_tqdm=False,
            )
            trainer = RewardTrainer(model=self.model_path, args=args, train_dataset=Dataset.from_list(rows),
                                    processing_class=self.tokenizer)
            trainer.train()
            model = trainer.model.eval()
        return model

    @torch.no_grad()
    def _score(self, model, pairs: pd.DataFrame, role: str, aspect: str | None, batch_size: int = 16) -> np.ndarray:
        texts = [
            self.tokenizer.apply_chat_template(conversation(p, aspect) + [{"role": "assistant", "content": r}], tokenize=False)
            for p, r in zip(pairs["prompt"], pairs[role])
        ]
        self.tokenizer.padding_side = "right"  # the sequence-classification head reads the last non-pad token
        scores = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(texts[start : start + batch_size], return_tensors="pt", padding=True,
                                   truncation=True, max_length=self.config.lm_max_length, add_special_tokens=False)
            logits = model(**{k: v.to(model.device) for k, v in batch.items()}).logits
            scores.append(logits[:, 0].float().cpu().numpy())
        return np.concatenate(scores).astype(np.float64)

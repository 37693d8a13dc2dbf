"""The ``embedding`` reward-model backend: frozen MiniLM embeddings + Bradley-Terry heads.

Each (prompt, response) is embedded once by the frozen sentence encoder; a small head maps the
embedding to a scalar reward and is trained with the length-corrected BT loss of Eq. 17:
-log σ(r(x, y_w) - r(x, y_l) - ρ·Δlen). Cheap enough to train one head per aspect on 2 cores.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from pdbench.pd.config import PDConfig

ENCODE_CHUNK = 512
"""Texts per call of the encoder: one step of the embedding progress bar."""


def pair_text(prompt: str, response: str) -> str:
    """The text the encoder sees for one response: the prompt gives the response its context."""
    return f"Question: {prompt}\nAnswer: {response}"


class EmbeddingBackend:
    """Sentence-embedding features and one BT head per key (an aspect, or ``None`` for unified)."""

    def __init__(self, config: PDConfig):
        from pdbench.infra.models import load_sentence_encoder

        self.config = config
        self.encoder = load_sentence_encoder(config.encoder)
        self._embeddings: dict[str, np.ndarray] = {}

    def lengths(self, texts: list[str]) -> np.ndarray:
        """Response lengths in tokens of the encoder's tokenizer (without special tokens)."""
        tokenizer = self.encoder.tokenizer
        return np.array([len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]])

    def embed(self, pairs: pd.DataFrame, role: str) -> np.ndarray:
        """Embeddings of the ``role`` ("chosen"/"rejected") responses of ``pairs``; computed once per text."""
        texts = [pair_text(p, r) for p, r in zip(pairs["prompt"], pairs[role])]
        missing = sorted({t for t in texts if t not in self._embeddings})
        # Our own bar, in chunks: sentence-transformers' says only "Batches", twice per strategy.
        for start in tqdm(range(0, len(missing), ENCODE_CHUNK), desc=f"embedding {role} responses", unit="chunk",
                          disable=len(missing) <= 500, leave=False):
            chunk = missing[start:start + ENCODE_CHUNK]
            vectors = self.encoder.encode(chunk, batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
                                          show_progress_bar=False)
            self._embeddings.update(zip(chunk, vectors))
        return np.stack([self._embeddings[t] for t in texts])

    def fit(self, samples: Mapping[str | None, pd.DataFrame], rho: float, seed: int) -> dict:
        """Train one head per key of ``samples`` on its pairs; returns key -> head."""
        return {key: self._train_head(frame, rho, seed) for key, frame in samples.items()}

    def gaps(self, head: torch.nn.Module, pairs: pd.DataFrame) -> np.ndarray:
        """r(chosen) - r(rejected) per pair, without the length term."""
        with torch.no_grad():
            chosen = head(torch.from_numpy(self.embed(pairs, "chosen"))).squeeze(-1)
            rejected = head(torch.from_numpy(self.embed(pairs, "rejected"))).squeeze(-1)
        return (chosen - rejected).numpy().astype(np.float64)

    def gaps_many(self, heads: list[torch.nn.Module], pairs: pd.DataFrame) -> list[np.ndarray]:
        """``gaps`` for several heads."""
        return [self.gaps(head, pairs) for head in heads]

    def _train_head(self, pairs: pd.DataFrame, rho: float, seed: int) -> torch.nn.Module:
        config = self.config
        generator = torch.Generator().manual_seed(seed)
        dim = self.encoder.get_embedding_dimension()
        head = _make_head(dim, config.hidden, generator)
        chosen = torch.from_numpy(self.embed(pairs, "chosen"))
        rejected = torch.from_numpy(self.embed(pairs, "rejected"))
        delta_len = torch.tensor(
            self.lengths(list(pairs["chosen"])) - self.lengths(list(pairs["rejected"])), dtype=torch.float32
        )
        optimizer = torch.optim.AdamW(head.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        for _ in range(config.epochs):
            optimizer.zero_grad()
            margin = head(chosen).squeeze(-1) - head(rejected).squeeze(-1) - rho * delta_len
            loss = torch.nn.functional.softplus(-margin).mean()  # = -log σ(margin), numerically stable
            loss.backward()
            optimizer.step()
        return head.eval()


def _make_head(dim: int, hidden: int, generator: torch.Generator) -> torch.nn.Module:
    layers = [torch.nn.Linear(dim, 1)] if hidden == 0 else [
        torch.nn.Linear(dim, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, 1)
    ]
    head = torch.nn.Sequential(*layers)
    with torch.no_grad():  # seeded init, independent of torch's global RNG
        for layer in head:
            if isinstance(layer, torch.nn.Linear):
                bound = 1.0 / layer.in_features**0.5
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.zero_()
    return head

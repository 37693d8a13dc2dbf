"""Hyperparameters of PD estimation. The paper fixes p_r = 0.3 and leaves gamma, tau, rho open."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PDConfig:
    """How proxy reward models are trained and PD is computed (paper §4, Algorithm 1)."""

    backend: str = "embedding"
    """``embedding``: frozen sentence embeddings + one Bradley-Terry head per aspect (CPU default)."""
    p_r: float = 0.3
    """Share of each aspect's pairs used to train its reward model (paper: 30 %)."""
    tau: float = 1.0
    """Balance temperature of Eq. 16. Not given by the paper; 1.0 halves a small length
    imbalance (f+ = 0.7 becomes 0.6) without discarding the majority side."""
    rho: float = 0.01
    """Length-penalty coefficient of Eq. 17-18, in reward units per token of the reward model's
    tokenizer. Not given by the paper; 0.01 makes a 50-token difference worth half a logit,
    comparable to the head's typical gaps on the world data."""
    gamma: float = 0.95
    """Quantile of Eq. 13 used to scale each model's |gaps| before clipping to [-1, 1]. Not given
    by the paper; 0.95 keeps the scale robust to a few outlier gaps while clipping only 5 %."""
    encoder: str = "minilm-l6"
    """Sentence encoder of the embedding backend (a model spec for ``pdbench.models``)."""
    hidden: int = 64
    """Hidden width of the BT head (0 = a linear head)."""
    epochs: int = 300
    """Full-batch training steps of each BT head."""
    lr: float = 3e-3
    """AdamW learning rate of the BT heads."""
    weight_decay: float = 1e-2
    """AdamW weight decay of the BT heads."""

    def to_dict(self) -> dict:
        """Plain dict, for cache keys and logging."""
        return asdict(self)

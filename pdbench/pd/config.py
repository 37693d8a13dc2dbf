"""Hyperparameters of PD estimation. The paper fixes p_r = 0.3 and leaves gamma, tau, rho open."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PDConfig:
    """How proxy reward models are trained and PD is computed (paper §4, Algorithm 1)."""

    backend: str = "embedding"
    """``embedding``: frozen sentence embeddings + one Bradley-Terry head per aspect (CPU default);
    ``lm``: a causal LM with a scalar head trained by TRL's RewardTrainer (the paper's setup)."""
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
    """Sentence encoder of the embedding backend (a model spec for ``pdbench.infra.models``)."""
    hidden: int = 64
    """Hidden width of the BT head (0 = a linear head)."""
    epochs: int = 300
    """Full-batch training steps of each BT head."""
    lr: float = 3e-3
    """AdamW learning rate of the BT heads."""
    weight_decay: float = 1e-2
    """AdamW weight decay of the BT heads."""

    lm_model: str = "smollm2-135m-instruct"
    """``lm`` backend: the reward model's base (paper: Llama-3.2-3B after SFT)."""
    lm_all_in_one: bool = True
    """``lm`` backend: one model for every aspect, told apart by the system prompts of App. B.3
    (the paper's choice); False trains one model per aspect."""
    lm_learning_rate: float = 2e-5
    """``lm`` backend: learning rate (paper App. B.3: 2e-5)."""
    lm_batch_size: int = 32
    """``lm`` backend: total batch size (paper App. B.3: 32)."""
    lm_per_device_batch_size: int = 8
    """``lm`` backend: per-device micro-batch; gradient accumulation makes up lm_batch_size."""
    lm_epochs: float = 1.0
    """``lm`` backend: epochs over the p_r sample (paper App. B.3: 1)."""
    lm_warmup_ratio: float = 0.05
    """``lm`` backend: warmup ratio (paper App. B.3: 0.05), cosine schedule."""
    lm_max_length: int = 4096
    """``lm`` backend: longest tokenised conversation kept (paper: 4096)."""

    def to_dict(self) -> dict:
        """Plain dict, for cache keys and logging."""
        return asdict(self)

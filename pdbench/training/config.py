"""Training settings: DPO / DMPO (``TrainConfig``) and the optional SFT stage (``SFTConfig``).

Plain dataclasses without torch or trl, so a run configuration resolves without importing them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

PRECISIONS = ("auto", "bf16", "fp32")
"""Values of ``TrainConfig.precision`` (checked by the run's configuration, ``pdbench.pipeline.config``; resolved by
``pdbench.training.precision``)."""
PREFIX_SHARING = ("auto", "on", "off")
"""Values of ``TrainConfig.prefix_sharing`` (resolved by ``pdbench.training.prefix_sharing``)."""


@dataclass(frozen=True)
class TrainConfig:
    """DPO hyperparameters. Defaults are the paper's (App. B.3); presets override them."""

    beta: float = 0.1
    """DPO β (also the β inside DMPO's margin M)."""
    learning_rate: float = 5e-7
    """AdamW learning rate (paper: 5e-7)."""
    epochs: float = 1.0
    """Epochs over the selected pairs (paper: 1)."""
    warmup_ratio: float = 0.1
    """Linear warmup share of the steps (paper: 0.1), then cosine decay."""
    batch_size: int = 32
    """Total batch size (paper: 32); gradient accumulation makes it up from the micro-batches."""
    per_device_batch_size: int = 4
    """Micro-batch per process."""
    max_length: int = 4096
    """Longest tokenised prompt + response kept (paper: 4096)."""
    precision: str = "auto"
    """``bf16`` mixed precision (fp32 master weights), ``fp32``, or ``auto``: bf16 where the device multiplies
    bf16 natively (a CUDA GPU, a CPU with AVX512-BF16 / AMX), else fp32 (``pdbench.training.precision``).
    The paper gives none; bf16 is the usual choice for its GPUs."""
    prefix_sharing: str = "auto"
    """Forward each pair's shared prefix (its prompt) once: one packed row prompt ‖ chosen ‖ rejected with a block
    mask, instead of TRL's two rows (``pdbench.training.prefix_sharing``). The same log-probs, loss and gradients up
    to float rounding, fewer FLOPs per pair. ``on``, ``off`` (TRL's path), or ``auto``: on where it was measured
    faster (the CPU), off on GPUs until measured there. Models that cannot take the mask fall back to ``off``."""
    precompute_ref_log_probs: bool = True
    """Compute the reference model's log-probs once before training, so it need not stay in memory."""
    use_lora: bool = False
    """Train LoRA adapters instead of all weights (needs `peft`)."""
    lora_r: int = 16
    """LoRA rank."""
    max_steps: int = -1
    """Stop after this many optimiser steps (-1: run the epochs); for smoke tests."""
    seed: int = 0
    """Seed of data order and dropout."""

    def to_dict(self) -> dict:
        """Plain dict, for cache keys and logging."""
        return asdict(self)


@dataclass(frozen=True)
class SFTConfig:
    """The SFT stage; the defaults are the paper's (App. B.3)."""

    dataset: str | None = None
    """Hub id (e.g. teknium/OpenHermes-2.5), local file, or ``world@openhermes`` (the world's instructions in
    OpenHermes-2.5's layout); None skips the stage."""
    learning_rate: float = 1e-5
    """Paper: 1e-5."""
    epochs: float = 2.0
    """Paper: 2 epochs."""
    batch_size: int = 64
    """Total batch size (paper: 64)."""
    per_device_batch_size: int = 4
    """Micro-batch per process."""
    warmup_ratio: float = 0.03
    """Paper: 0.03, cosine schedule."""
    max_length: int = 4096
    """Paper: 4096 tokens."""
    max_samples: int = 0
    """Use only the first N rows (0 = all): for quick trials."""
    max_steps: int = -1
    """Stop after this many steps (-1 = run the epochs)."""
    seed: int = 0
    """Seed of the SFT data order; fixed rather than the run's seed, so every cell aligns the same SFT model."""
    reward_model: bool = True
    """Also fine-tune the reward model's base (``pd.lm_model``, ``lm`` backend) on the same data, as the paper does."""

    def to_dict(self) -> dict:
        """Plain dict, for cache keys and logging."""
        return asdict(self)

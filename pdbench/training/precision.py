"""Which arithmetic DPO trains in: bf16 mixed precision (fp32 master weights) or plain fp32.

``auto`` picks bf16 where the hardware multiplies bf16 matrices natively — a CUDA GPU with bf16, or
a CPU with AVX512-BF16 or AMX — and fp32 elsewhere (a CPU without them emulates bf16, slower than
fp32). The resolved name, not ``auto``, goes into the trained stage's cache key, so models trained in
different arithmetic never share a cache entry.
"""

from __future__ import annotations

import os

import torch


def resolve_precision(precision: str) -> str:
    """``bf16`` or ``fp32`` for this machine (``auto`` resolved as the module docstring says). ``precision`` is
    one of ``PRECISIONS``: the run's configuration checked it when it was built (``pdbench.pipeline.config``)."""
    if precision != "auto":
        return precision
    return "bf16" if has_native_bf16() else "fp32"


def has_native_bf16() -> bool:
    """Whether this machine's training device multiplies bf16 matrices in hardware."""
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    cpu = torch.cpu
    return any(getattr(cpu, probe, lambda: False)() for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))


ONEDNN_CACHE_CAPACITY = "64"
"""oneDNN primitives kept for bf16 CPU matmuls (its default: 1,024). Every distinct sequence length
makes new ones, so over a long run the default cache grew a tiny cell's training process from 4.9 to
6.8 GB; 64 keeps it at 4.9 GB at the same speed (256 pairs: 198 s vs 199 s; 0 disables it: 553 s)."""


def bound_cpu_bf16_cache() -> None:
    """Cap oneDNN's primitive cache for this process unless the user set ``ONEDNN_PRIMITIVE_CACHE_CAPACITY``.

    oneDNN reads the variable when it makes its first bf16 primitive, so call this before training starts.
    """
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", ONEDNN_CACHE_CAPACITY)

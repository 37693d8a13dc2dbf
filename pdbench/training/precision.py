"""Which arithmetic DPO trains in: bf16 mixed precision (fp32 master weights) or plain fp32.

``auto`` picks bf16 where the hardware multiplies bf16 matrices natively — a CUDA GPU with bf16, or
a CPU with AVX512-BF16 or AMX — and fp32 elsewhere (a CPU without them emulates bf16, slower than
fp32). The resolved name, not ``auto``, goes into the trained stage's cache key, so models trained in
different arithmetic never share a cache entry.
"""

from __future__ import annotations

import torch

PRECISIONS = ("auto", "bf16", "fp32")


def resolve_precision(precision: str) -> str:
    """``bf16`` or ``fp32`` for this machine (``auto`` resolved as the module docstring says)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision != "auto":
        return precision
    return "bf16" if has_native_bf16() else "fp32"


def has_native_bf16() -> bool:
    """Whether this machine's training device multiplies bf16 matrices in hardware."""
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    cpu = torch.cpu
    return any(getattr(cpu, probe, lambda: False)() for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))

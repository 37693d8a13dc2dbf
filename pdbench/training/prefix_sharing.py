"""DPO with prefix sharing: the prefix a pair's two sequences share is forwarded once (Wang et al. 2024,
"Accelerating Direct Preference Optimization with Prefix Sharing", arXiv 2410.20305).

TRL forwards every pair twice, ``prompt ‖ chosen`` and ``prompt ‖ rejected``. Here each pair becomes one
packed row ``shared ‖ chosen tail ‖ rejected tail`` with position ids that restart where the rejected tail
starts and an attention mask that keeps the rejected tail from seeing the chosen one. ``shared`` is the
longest common prefix of the two token sequences: the prompt, plus any first response tokens the two
answers have in common. A causal model's hidden state at a position depends only on the tokens up to it,
so every hidden state of the two sequences is computed — once — in the packed row; the same numbers up to
float rounding (the matmuls and attention run on other shapes).

The packing happens inside the model's backbone call (forward hooks on the decoder, ``sharing_prefixes``):
the backbone's last hidden states are scattered back into TRL's layout (chosen rows, then rejected rows,
right-padded) before TRL's fused LM head, so the log-probs, the loss, every TRL loss type and every logged
metric are TRL's own code on the same hidden states. Only completion positions pass through the LM head
(on the CPU too: ``score_completions_only_on_cpu``), so a position the two rows share costs its LM head
twice, as before, and its decoder layers once.

Where a model cannot take the custom mask exactly (``unsupported_reason``), training falls back to TRL's
unshared forward and records why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import torch

from pdbench.training.config import PREFIX_SHARING

MASKED_IMPLEMENTATIONS = ("sdpa", "eager", "flex_attention")
"""Attention implementations that accept a custom mask per query and key (a 4D tensor or a BlockMask)."""

SHARED, CHOSEN, REJECTED, PADDING = 0, 1, 2, 3
"""Segments of a packed row."""


def resolve_prefix_sharing(setting: str) -> bool:
    """Whether to share prefixes: ``on`` / ``off``, or ``auto``: on where it was measured exact and faster.

    Measured (``benchmarks/dpo_throughput.py``): the CPU. On a GPU the unshared path keeps FlashAttention-style
    kernels that a dense custom mask gives up; until ``benchmarks/paper_scale_dpo.py --prefix-sharing off,on``
    has measured that trade-off on a device, ``auto`` keeps GPUs on TRL's path.
    """
    if setting not in PREFIX_SHARING:
        raise ValueError(f"prefix_sharing must be one of {', '.join(PREFIX_SHARING)}, got {setting!r}")
    if setting != "auto":
        return setting == "on"
    return not torch.cuda.is_available()


@dataclass(frozen=True)
class PackedPairs:
    """A micro-batch of pairs packed one row per pair, and the way back to TRL's layout."""

    input_ids: torch.Tensor
    """(pairs, width): shared prefix, chosen tail, rejected tail, padding."""
    position_ids: torch.Tensor
    """(pairs, width): each token's position in its own unpacked sequence (the rejected tail restarts after the prefix)."""
    segments: torch.Tensor
    """(pairs, width): ``SHARED``, ``CHOSEN``, ``REJECTED`` or ``PADDING``."""
    unpack_index: torch.Tensor
    """(2·pairs, length): for each position of TRL's layout, its flat index in the packed (pairs·width) rows
    (padding positions point at index 0: their hidden states are never scored)."""


def common_prefix_lengths(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Per pair, how many first tokens its chosen row (first half) and rejected row (second half) share."""
    pairs = input_ids.shape[0] // 2
    lengths = attention_mask.sum(dim=1)
    shortest = torch.minimum(lengths[:pairs], lengths[pairs:])
    columns = torch.arange(input_ids.shape[1], device=input_ids.device)
    same = (input_ids[:pairs] == input_ids[pairs:]) & (columns < shortest[:, None])
    return same.long().cumprod(dim=1).sum(dim=1)


def packed_length(chosen_ids: torch.Tensor, rejected_ids: torch.Tensor) -> int:
    """The packed row's length of one pair, given its unpadded chosen and rejected sequences."""
    shortest = min(len(chosen_ids), len(rejected_ids))
    same = (chosen_ids[:shortest] == rejected_ids[:shortest]).long().cumprod(dim=0).sum().item()
    return len(chosen_ids) + len(rejected_ids) - same


def pack_pairs(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> PackedPairs:
    """Pack TRL's preference batch (chosen rows, then rejected rows, right-padded) one row per pair."""
    rows, length = input_ids.shape
    if rows % 2 or not torch.equal(attention_mask.bool(), torch.arange(length, device=attention_mask.device)
                                   < attention_mask.sum(dim=1, keepdim=True)):
        raise ValueError("prefix sharing needs TRL's preference batch: 2·pairs right-padded rows")
    pairs, device = rows // 2, input_ids.device
    lengths = attention_mask.sum(dim=1)
    chosen_length, rejected_length = lengths[:pairs], lengths[pairs:]
    shared = common_prefix_lengths(input_ids, attention_mask)
    total = chosen_length + rejected_length - shared
    width = int(total.max())
    at = torch.arange(width, device=device)[None, :]
    is_rejected = at >= chosen_length[:, None]
    # Each packed position's column in its unpacked row: the chosen row's own, or the rejected row's, shifted
    # past the chosen tail. That column is also its position id.
    column = torch.where(is_rejected, at - chosen_length[:, None] + shared[:, None], at)
    segments = torch.where(at < shared[:, None], SHARED, torch.where(is_rejected, REJECTED, CHOSEN))
    segments = torch.where(at < total[:, None], segments, PADDING)
    pair = torch.arange(pairs, device=device)[:, None]
    source_row = torch.where(is_rejected, pair + pairs, pair)
    column = torch.where(segments == PADDING, 0, column)
    packed_ids = input_ids[source_row, column]

    # Back: column t of chosen row i is packed position t; of rejected row i, t below the shared prefix, else
    # t shifted past the chosen tail.
    columns = torch.arange(length, device=device)[None, :]
    chosen_back = pair * width + columns
    rejected_back = pair * width + torch.where(columns < shared[:, None], columns,
                                               columns - shared[:, None] + chosen_length[:, None])
    back = torch.cat([chosen_back, rejected_back])
    return PackedPairs(packed_ids, column, segments, torch.where(attention_mask.bool(), back, 0))


def allowed(segments: torch.Tensor) -> torch.Tensor:
    """(pairs, width, width) booleans: query q may attend key k — causal, except a rejected token never sees
    a chosen-tail token. Padding queries attend causally too (never an empty row; their outputs are unused)."""
    width = segments.shape[1]
    causal = torch.ones(width, width, dtype=torch.bool, device=segments.device).tril()
    crossing = (segments[:, :, None] == REJECTED) & (segments[:, None, :] == CHOSEN)
    return causal & ~crossing


def attention_mask_for(packed: PackedPairs, implementation: str, dtype: torch.dtype):
    """The packed rows' mask in the form ``implementation`` takes as an already prepared 4D mask."""
    if implementation == "sdpa":
        return allowed(packed.segments)[:, None]
    if implementation == "eager":  # added to the scores
        mask = torch.zeros(allowed(packed.segments).shape, dtype=dtype, device=packed.segments.device)
        return mask.masked_fill(~allowed(packed.segments), torch.finfo(dtype).min)[:, None]
    if implementation == "flex_attention":
        from torch.nn.attention.flex_attention import create_block_mask

        segments = packed.segments

        def mask_mod(b, h, q, k):
            return (k <= q) & ~((segments[b, q] == REJECTED) & (segments[b, k] == CHOSEN))

        pairs, width = segments.shape
        return create_block_mask(mask_mod, pairs, None, width, width, device=segments.device)
    raise ValueError(f"no prefix-sharing mask for attention implementation {implementation!r}")


def backbone_of(model: torch.nn.Module) -> torch.nn.Module:
    """The decoder under ``model`` whose last hidden states TRL's fused LM head reads (``model.base_model``),
    through DDP / DeepSpeed wrappers (``.module``) and a PEFT model."""
    while hasattr(model, "module") and isinstance(model.module, torch.nn.Module):
        model = model.module
    if hasattr(model, "get_base_model"):  # PEFT
        model = model.get_base_model()
    return model.base_model


def unsupported_reason(model: torch.nn.Module) -> str | None:
    """Why prefix sharing would not be exact for ``model`` (None: it is)."""
    config = model.config
    if getattr(config, "is_encoder_decoder", False):
        return "an encoder-decoder model"
    if config.get_text_config() is not config:
        return "a multimodal model"
    implementation = getattr(config, "_attn_implementation", None)
    if implementation not in MASKED_IMPLEMENTATIONS:
        return f"attention implementation {implementation!r} takes no custom mask"
    if any(kind != "full_attention" for kind in getattr(config, "layer_types", None) or ()):
        return "layers other than full attention (sliding window, linear attention)"
    if getattr(config, "sliding_window", None) is not None and getattr(config, "use_sliding_window", True):
        return "sliding-window attention"
    return None


@contextmanager
def sharing_prefixes(*models: torch.nn.Module | None) -> Iterator[None]:
    """While open, every backbone call of ``models`` on a TRL preference batch runs packed (module docstring)."""
    backbones = {id(backbone): backbone for backbone in (backbone_of(m) for m in models if m is not None)}
    with ExitStack() as stack:
        for backbone in backbones.values():  # once each: the policy may be its own reference
            stack.enter_context(_packed_backbone(backbone))
        yield


@contextmanager
def _packed_backbone(backbone: torch.nn.Module) -> Iterator[None]:
    pending: list[PackedPairs] = []

    def pack(module, args, kwargs):
        if args or kwargs.get("input_ids") is None or kwargs.get("inputs_embeds") is not None:
            raise ValueError("prefix sharing needs the backbone called with input_ids by keyword (TRL's forward)")
        input_ids = kwargs["input_ids"]
        attention_mask = kwargs.get("attention_mask")
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        packed = pack_pairs(input_ids, attention_mask)
        pending.append(packed)
        dtype = module.get_input_embeddings().weight.dtype
        mask = attention_mask_for(packed, module.config._attn_implementation, dtype)
        return args, {**kwargs, "input_ids": packed.input_ids, "attention_mask": mask,
                      "position_ids": packed.position_ids}

    def unpack(module, args, kwargs, output):
        packed = pending.pop()
        hidden = output.last_hidden_state
        flat = hidden.reshape(-1, hidden.shape[-1])
        output.last_hidden_state = flat[packed.unpack_index]
        return output

    handles = [backbone.register_forward_pre_hook(pack, with_kwargs=True),
               backbone.register_forward_hook(unpack, with_kwargs=True)]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()

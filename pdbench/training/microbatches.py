"""Regroup one optimiser step's preference micro-batches by length, so that they pad less.

TRL's collator pads every micro-batch to its longest sequence; with randomly drawn pairs about a
fifth of a tiny-preset step's positions are padding. Sorting the pairs of one optimiser step by
length and cutting them into the same number of equally sized micro-batches keeps the step's
gradient (the mean loss over the same pairs: equal sizes weigh every pair alike) while the short
pairs stop being padded to the long ones. Pairs never move between optimiser steps, so the data
order, the learning-rate schedule and the number of steps are those of the unsorted run.
"""

from __future__ import annotations

import torch

ROW_KEYS = ("input_ids", "attention_mask", "completion_mask")
"""Per-sequence tensors of TRL's preference batch: chosen rows first, then rejected rows, padded on the right."""
PAIR_KEYS = ("ref_chosen_logps", "ref_rejected_logps")
"""Per-pair values, present when the reference log-probs are precomputed."""


def regroup_by_length(batches: list[dict], pad_token_id: int) -> list[dict]:
    """The pairs of ``batches`` (one optimiser step) re-cut, sorted by length, into as many micro-batches of equal size.

    Returned unchanged when there is nothing to gain or the result would not be the same step:
    a single micro-batch, micro-batches of different sizes (the last step of an epoch), or keys
    this function does not know how to carry.
    """
    sizes = {batch["input_ids"].shape[0] for batch in batches}
    known = set(ROW_KEYS) | set(PAIR_KEYS)
    if len(batches) < 2 or len(sizes) != 1 or any(set(batch) - known for batch in batches):
        return batches
    pairs = sorted((pair for batch in batches for pair in _pairs(batch)), key=_length)
    size = len(pairs) // len(batches)
    return [_collate(pairs[start : start + size], pad_token_id) for start in range(0, len(pairs), size)]


def _pairs(batch: dict) -> list[dict]:
    """The pairs of one collated batch: each with its unpadded chosen and rejected rows and per-pair values."""
    n = batch["input_ids"].shape[0] // 2
    lengths = batch["attention_mask"].sum(dim=1).tolist()  # right padding: the real tokens come first

    def row(i: int) -> dict:
        return {key: batch[key][i, : lengths[i]] for key in ROW_KEYS}

    return [{"chosen": row(i), "rejected": row(n + i), **{k: batch[k][i] for k in PAIR_KEYS if k in batch}}
            for i in range(n)]


def _length(pair: dict) -> int:
    """The padded length a pair imposes on its micro-batch."""
    return max(len(pair["chosen"]["input_ids"]), len(pair["rejected"]["input_ids"]))


def _collate(pairs: list[dict], pad_token_id: int) -> dict:
    """A batch laid out as TRL's collator lays it out: chosen rows, then rejected rows, padded on the right."""
    rows = [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs]
    width = max(len(r["input_ids"]) for r in rows)
    padding = {"input_ids": pad_token_id, "attention_mask": 0, "completion_mask": 0}
    batch = {key: torch.stack([torch.nn.functional.pad(r[key], (0, width - len(r[key])), value=padding[key])
                               for r in rows]) for key in ROW_KEYS}
    batch.update({key: torch.stack([p[key] for p in pairs]) for key in PAIR_KEYS if key in pairs[0]})
    return batch

"""Preference pairs with one aspect label each, at a controlled conflict level (paper §5.1).

1. *Pair generation*: per prompt, the completion with the highest mean fine-grained score is
   paired with one other completion drawn at random among those with a strictly lower mean.
2. *Aspect assignment*: each pair gets one aspect; that aspect's ratings decide chosen/rejected.
3. *Conflict control*: a pair *conflicts* when its aspect prefers the lower-mean completion. The
   paper sets the conflict level through the aspect-sampling weights; we make that exact: every
   pair draws one uniform number ``u`` (the same for every conflict level, given the seed), and
   the flexible pairs — those with both a conflicting and an agreeing aspect — with the smallest
   ``u`` take a conflicting aspect, as many as the target needs. The aspect is then drawn with
   ``aspect_weights`` among the pair's conflicting (or agreeing) aspects. So datasets built at
   different levels differ only in the pairs whose conflict status had to change, and the level
   is met to within 1/(2n).

Ties, documented choices (the paper does not discuss them):
* several completions share the best mean: one of them is drawn at random as the best;
* no other completion has a strictly lower mean: the prompt yields no pair;
* an aspect that rates both completions equally, or has "N/A" for either, cannot label the pair;
  a pair no aspect can label is dropped;
* the best and the other completion have the same text: the pair teaches nothing, it is dropped.
None of these depend on the conflict level, so the pairs (prompt, best, other) — and with them
the ``overall`` and ``oracle`` relabelings — are identical across conflict levels.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pdbench.data.schema import Completion, PromptRecord, check_aspects


PAIRING_VERSION = 2
"""Bumped whenever the same records can give a different pair table (2: identical texts are dropped),
so cached pair tables from an older rule are not reused."""


class ConflictLevelError(ValueError):
    """The requested conflict level cannot be reached on this data."""


@dataclass(frozen=True)
class _Candidate:
    """A (best, other) pair before its aspect is chosen."""

    prompt_index: int
    record: PromptRecord
    best: Completion
    other: Completion
    conflicting: tuple[str, ...]
    agreeing: tuple[str, ...]
    u: float
    v: float


def build_pairs(
    records: Sequence[PromptRecord],
    conflict: float | None,
    seed: int = 0,
    aspect_weights: Mapping[str, float] | None = None,
    source: str = "records",
) -> tuple[pd.DataFrame, dict]:
    """Build the aspect-labelled pair table at conflict level ``conflict``.

    ``conflict=None`` assigns every pair an aspect drawn with ``aspect_weights`` among all that
    can label it, without conflict control (the data's natural level). Returns the table and
    a dict of build facts (attainable range, dropped counts) for the statistics.
    Raises ConflictLevelError with the attainable range when ``conflict`` cannot be met.
    """
    aspects = check_aspects(list(records), source)
    weights = _normalise_weights(aspect_weights, aspects)
    candidates, dropped = _draw_candidates(records, aspects, seed)
    n = len(candidates)
    if n == 0:
        raise ConflictLevelError(f"{source}: no prompt yields a pair (dropped: {dict(dropped)})")
    forced = sum(1 for c in candidates if c.conflicting and not c.agreeing)
    flexible = [c for c in candidates if c.conflicting and c.agreeing]
    attainable = (forced / n, (forced + len(flexible)) / n)
    if conflict is None:
        conflicted = None
    else:
        conflicted = _choose_conflicted(flexible, forced, n, conflict, attainable)
    rows = [_row(c, conflicted, weights) for c in candidates]
    table = pd.DataFrame(rows)
    table.insert(0, "pair_id", range(len(table)))
    facts = {
        "aspects": list(aspects),
        "attainable_conflict_range": [round(attainable[0], 6), round(attainable[1], 6)],
        "n_prompts": len(records),
        "dropped": dict(dropped),
        "target_conflict": conflict,
        "seed": seed,
    }
    return table, facts


def _normalise_weights(weights: Mapping[str, float] | None, aspects: Sequence[str]) -> dict[str, float]:
    if weights is None:
        return {a: 1.0 for a in aspects}
    unknown = set(weights) - set(aspects)
    if unknown:
        raise ValueError(f"aspect_weights names unknown aspects {sorted(unknown)}; known: {list(aspects)}")
    bad = {name: w for name, w in weights.items() if not (math.isfinite(w) and w >= 0)}
    if bad:  # NaN fails every comparison, so it would silently hand its pairs to the last eligible aspect
        raise ValueError(f"aspect_weights must be finite and non-negative, got {bad}")
    if not any(weights.get(a, 0.0) > 0 for a in aspects):
        raise ValueError(f"aspect_weights are all zero; give at least one of {list(aspects)} a positive weight")
    return {a: float(weights.get(a, 0.0)) for a in aspects}


def _draw_candidates(records, aspects, seed) -> tuple[list[_Candidate], Counter]:
    """Draw every prompt's (best, other) pair and its two uniforms, independently of the level."""
    rng = np.random.default_rng(seed)
    candidates, dropped = [], Counter()
    for index, record in enumerate(records):
        # Three draws per prompt whatever happens, so one prompt's fate never shifts another's.
        best_draw, other_draw, (u, v) = rng.random(), rng.random(), rng.random(2)
        means = [c.mean_score() for c in record.completions]
        rated = [i for i, m in enumerate(means) if m is not None]
        if len(rated) < 2:
            dropped["fewer than two rated completions"] += 1
            continue
        top = max(means[i] for i in rated)
        tops = [i for i in rated if means[i] == top]
        lower = [i for i in rated if means[i] < top]
        if not lower:
            dropped["all completions tie on mean score"] += 1
            continue
        best = record.completions[tops[int(best_draw * len(tops))]]
        other = record.completions[lower[int(other_draw * len(lower))]]
        if best.text == other.text:
            dropped["chosen and rejected texts identical"] += 1
            continue
        conflicting, agreeing = _split_aspects(best, other, aspects)
        if not conflicting and not agreeing:
            dropped["no aspect separates the pair"] += 1
            continue
        candidates.append(_Candidate(index, record, best, other, conflicting, agreeing, float(u), float(v)))
    return candidates, dropped


def _split_aspects(best: Completion, other: Completion, aspects) -> tuple[tuple[str, ...], tuple[str, ...]]:
    conflicting, agreeing = [], []
    for aspect in aspects:
        b, o = best.ratings[aspect], other.ratings[aspect]
        if b is None or o is None or b == o:
            continue
        (agreeing if b > o else conflicting).append(aspect)
    return tuple(conflicting), tuple(agreeing)


def _choose_conflicted(flexible, forced, n, conflict, attainable) -> set[int]:
    """The prompt indices of the flexible pairs that take a conflicting aspect. A level outside [0, 1] is never
    attainable (a run's configuration refuses it before anything computes: ``pdbench.pipeline.config``)."""
    target = round(conflict * n) if math.isfinite(conflict) else -1
    low, high = attainable
    if not forced <= target <= forced + len(flexible):
        raise ConflictLevelError(
            f"conflict level {conflict} is not attainable on this data: "
            f"the attainable range is [{low:.3f}, {high:.3f}] ({n} pairs)"
        )
    by_u = sorted(flexible, key=lambda c: c.u)
    return {c.prompt_index for c in by_u[: target - forced]}


def _row(candidate: _Candidate, conflicted: set[int] | None, weights: dict[str, float]) -> dict:
    if conflicted is None:
        pool = candidate.conflicting + candidate.agreeing
    elif candidate.prompt_index in conflicted or not candidate.agreeing:
        pool = candidate.conflicting
    else:
        pool = candidate.agreeing
    aspect = _weighted_pick(pool, weights, candidate.v)
    is_conflict = aspect in candidate.conflicting
    chosen, rejected = (candidate.other, candidate.best) if is_conflict else (candidate.best, candidate.other)
    row = {
        "prompt_index": candidate.prompt_index,
        "source": candidate.record.source,
        "prompt": candidate.record.prompt,
        "chosen": chosen.text,
        "rejected": rejected.text,
        "aspect": aspect,
        "is_conflict": is_conflict,
        "n_conflicting_aspects": len(candidate.conflicting),
        "n_agreeing_aspects": len(candidate.agreeing),
    }
    if "world_spec" in candidate.record.extra:  # the gold rubric's view, for pdbench.world.profile
        row["world_spec"] = json.dumps(candidate.record.extra["world_spec"], sort_keys=True)
    for role, completion in (("chosen", chosen), ("rejected", rejected)):
        for name, rating in completion.ratings.items():
            row[f"{role}_{name}"] = rating
        row[f"{role}_mean"] = completion.mean_score()
        row[f"{role}_overall"] = completion.overall
        # Whitespace words: a tokenizer-free length, so the table does not depend on any model.
        row[f"{role}_len"] = len(completion.text.split())
    return row


def _weighted_pick(pool: Sequence[str], weights: dict[str, float], v: float) -> str:
    total = sum(weights[a] for a in pool)
    if total == 0:  # every eligible aspect has weight 0: fall back to uniform
        return pool[int(v * len(pool))]
    running = 0.0
    for aspect in pool:
        running += weights[aspect] / total
        if v < running:
            return aspect
    return pool[-1]

"""Algorithm 1: per-aspect proxy reward models -> cross pseudo-reward gaps -> PD per pair.

Also the two ablations' artifacts (A1's unified reward gap, A2's PD without length
mitigation) and PD from the ground-truth ratings (the ``pd_ratings`` upper bound). Results are
cached by content: the pair table, the configuration, the variant and the seed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pdbench.infra.cache import content_key, frame_fingerprint, stage_dir, stage_lock
from pdbench.infra.fileio import write_json, write_with
from pdbench.pd.config import PDConfig
from pdbench.pd.math import length_balanced_sample, pd_from_gaps

PAIR_COLUMNS = ["prompt", "chosen", "rejected", "aspect"]
VARIANTS = {"ours": (True, True), "a2": (False, False)}
"""variant -> (length-balanced sampling, length penalty ρ): A2 drops both (paper §5.4)."""


@dataclass(frozen=True)
class PDResult:
    """PD of every pair, with the per-aspect gaps and the reward models' held-out accuracy."""

    table: pd.DataFrame
    """pair_id, aspect, pd, and per aspect a: raw_gap_<a> (length-corrected) and gap_<a> (scaled, clipped)."""
    meta: dict = field(default_factory=dict)
    """rm_accuracy per aspect, quantile scales, sample sizes, seconds spent."""


def aspects_of(pairs: pd.DataFrame) -> list[str]:
    """The aspects that label pairs, sorted so every stage orders them alike."""
    return sorted(pairs["aspect"].unique())


def estimate_pd(
    pairs: pd.DataFrame, config: PDConfig, seed: int, variant: str = "ours", backend=None, force: bool = False,
    base=None,
) -> PDResult:
    """PD of every pair from proxy reward models (cached); ``base``: the ``lm`` backend's ``RewardBase``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown PD variant {variant!r}; known: {', '.join(VARIANTS)}")
    key = content_key("pd", variant, frame_fingerprint(pairs, PAIR_COLUMNS), config.to_dict(), seed,
                      *_base_identity(config, base))
    return _cached(key, lambda: _estimate(pairs, config, seed, variant, backend or make_backend(config, base)), force)


def unified_gaps(pairs: pd.DataFrame, config: PDConfig, seed: int, backend=None, force: bool = False,
                 base=None) -> PDResult:
    """A1: one reward model on a uniform p_r sample of all pairs, no aspects, no length terms.

    The table holds pair_id and ``gap`` (its reward gap chosen - rejected on every pair).
    """
    key = content_key("unified", frame_fingerprint(pairs, PAIR_COLUMNS), config.to_dict(), seed,
                      *_base_identity(config, base))
    return _cached(key, lambda: _unified(pairs, config, seed, backend or make_backend(config, base)), force)


def _base_identity(config: PDConfig, base) -> tuple:
    """What else determines the ``lm`` backend's reward models: how their base was prepared (template, SFT,
    arithmetic). Nothing for the embedding backend, whose keys stay as they were."""
    return tuple(base.identity) if config.backend == "lm" and base is not None else ()


def rating_pd(pairs: pd.DataFrame, gamma: float) -> PDResult:
    """PD from the ground-truth ratings instead of proxy models (an upper bound on PD quality).

    The gap of aspect a is rating_a(chosen) - rating_a(rejected); a missing rating counts 0.
    """
    aspects = aspects_of(pairs)
    gaps = np.column_stack([
        (pairs[f"chosen_{a}"].astype(float) - pairs[f"rejected_{a}"].astype(float)).fillna(0.0).to_numpy()
        for a in aspects
    ])
    return PDResult(_pd_table(pairs, aspects, gaps, gamma), {"source": "ratings"})


def _estimate(pairs, config, seed, variant, backend) -> PDResult:
    balanced, use_rho = VARIANTS[variant]
    rho = config.rho if use_rho else 0.0
    aspects = aspects_of(pairs)
    rng = np.random.default_rng(seed)
    started, device_seconds_before = time.perf_counter(), getattr(backend, "device_seconds", 0.0)
    delta_len = backend.lengths(list(pairs["chosen"])) - backend.lengths(list(pairs["rejected"]))
    train_rows = {}
    for aspect in aspects:
        rows = np.flatnonzero(pairs["aspect"].to_numpy() == aspect)
        train_rows[aspect] = rows[length_balanced_sample(delta_len[rows], config.p_r, config.tau, rng, balanced)]
    heads = backend.fit({a: pairs.iloc[r] for a, r in train_rows.items()}, rho, seed)
    trained = time.perf_counter()
    gaps = np.column_stack(backend.gaps_many([heads[a] for a in aspects], pairs)) - rho * delta_len[:, None]
    table = _pd_table(pairs, aspects, gaps, config.gamma)
    meta = {
        "variant": variant,
        "rho": rho,
        "balanced_sampling": balanced,
        "rm_train_pairs": {a: len(r) for a, r in train_rows.items()},
        "rm_accuracy": _held_out_accuracy(pairs, aspects, gaps, train_rows),
        **_costs(backend, started, trained, device_seconds_before),
    }
    return PDResult(table, meta)


def _costs(backend, started: float, trained: float, device_seconds_before: float) -> dict:
    """Seconds of reward-model training and scoring, and their device-seconds: what the children used where the
    backend runs children on several devices (``lm``), else the wall-clock on one device (``embedding``)."""
    seconds = {"rm_training": trained - started, "scoring": time.perf_counter() - trained}
    used = getattr(backend, "device_seconds", None)
    base = getattr(backend, "base_record", None) or {}
    return {"seconds": seconds, "device_seconds": sum(seconds.values()) if used is None else used - device_seconds_before,
            "base_device_seconds": base.get("device_seconds", 0.0), "rm_trained": getattr(backend, "trained", None)}


def _unified(pairs, config, seed, backend) -> PDResult:
    rng = np.random.default_rng(seed)
    started, device_seconds_before = time.perf_counter(), getattr(backend, "device_seconds", 0.0)
    rows = np.sort(rng.choice(len(pairs), size=int(round(config.p_r * len(pairs))), replace=False))
    head = backend.fit({None: pairs.iloc[rows]}, 0.0, seed)[None]
    trained = time.perf_counter()
    gap = backend.gaps_many([head], pairs)[0]
    held_out = np.setdiff1d(np.arange(len(pairs)), rows)
    table = pd.DataFrame({"pair_id": pairs["pair_id"].to_numpy(), "aspect": pairs["aspect"].to_numpy(), "gap": gap})
    meta = {
        "rm_train_pairs": len(rows),
        "rm_accuracy": float((gap[held_out] > 0).mean()) if len(held_out) else None,
        **_costs(backend, started, trained, device_seconds_before),
    }
    return PDResult(table, meta)


def _pd_table(pairs: pd.DataFrame, aspects: list[str], gaps: np.ndarray, gamma: float) -> pd.DataFrame:
    pair_aspect = np.array([aspects.index(a) for a in pairs["aspect"]])
    pd_values, scaled = pd_from_gaps(gaps, pair_aspect, gamma)
    table = pd.DataFrame({"pair_id": pairs["pair_id"].to_numpy(), "aspect": pairs["aspect"].to_numpy(), "pd": pd_values})
    for j, aspect in enumerate(aspects):
        table[f"raw_gap_{aspect}"] = gaps[:, j]
        table[f"gap_{aspect}"] = scaled[:, j]
    return table


def _held_out_accuracy(pairs, aspects, gaps, train_rows) -> dict[str, float | None]:
    """Share of an aspect's pairs outside its RM's training sample on which the RM agrees with the label."""
    accuracy = {}
    labels = pairs["aspect"].to_numpy()
    for j, aspect in enumerate(aspects):
        held_out = np.setdiff1d(np.flatnonzero(labels == aspect), train_rows[aspect])
        accuracy[aspect] = float((gaps[held_out, j] > 0).mean()) if len(held_out) else None
    return accuracy


def make_backend(config: PDConfig, base=None):
    """The reward-model backend named by ``config.backend`` (``base``: the ``lm`` backend's ``RewardBase``)."""
    if config.backend == "embedding":
        from pdbench.pd.embedding_backend import EmbeddingBackend

        return EmbeddingBackend(config)
    if config.backend == "lm":
        from pdbench.pd.lm_backend import LMBackend

        return LMBackend(config, base)
    raise ValueError(f"unknown reward-model backend {config.backend!r}; known: embedding, lm")


def _cached(key: str, compute, force: bool = False) -> PDResult:
    folder = stage_dir("pd", key)
    table_path, meta_path = folder / "table.parquet", folder / "meta.json"
    with stage_lock(folder):
        if table_path.exists() and meta_path.exists() and not force:
            return PDResult(pd.read_parquet(table_path), json.loads(meta_path.read_text()))
        result = compute()
        write_with(table_path, lambda p: result.table.to_parquet(p, index=False))
        write_json(meta_path, result.meta)  # written last: its presence marks a complete entry
    return result

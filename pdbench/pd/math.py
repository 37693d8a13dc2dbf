"""The PD arithmetic of Eq. 13-16, on plain arrays so it can be checked by hand.

Shapes: ``gaps`` is (n_pairs, n_aspects): column j holds the (length-corrected) reward gap
chosen - rejected that aspect j's model gives each pair. ``pair_aspect`` is (n_pairs,): the
index of the aspect that labelled each pair. A model never scores the pairs of its own aspect
for PD (Eq. 12-13 use z not in D_k), so those cells are ignored.
"""

from __future__ import annotations

import math

import numpy as np


def quantile_scales(gaps: np.ndarray, pair_aspect: np.ndarray, gamma: float) -> np.ndarray:
    """q_k of Eq. 13: the gamma-quantile of |gap| of model k over the pairs of the *other* aspects.

    An aspect whose model scored nothing, or whose gaps are all zero, gets scale 1 so that the
    division in Eq. 14 stays defined (its gaps are then all zero anyway or absent).
    """
    if not 0.0 < gamma <= 1.0:
        raise ValueError(f"gamma must be in (0, 1], got {gamma}")
    scales = np.ones(gaps.shape[1])
    for k in range(gaps.shape[1]):
        scored = np.abs(gaps[pair_aspect != k, k])
        if scored.size:
            q = float(np.quantile(scored, gamma))
            scales[k] = q if q > 0 else 1.0
    return scales


def scale_and_clip(gaps: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Eq. 14: gap / q_k, clipped to [-1, 1]."""
    return np.clip(gaps / scales[None, :], -1.0, 1.0)


def preference_divergence(scaled: np.ndarray, pair_aspect: np.ndarray) -> np.ndarray:
    """Eq. 15: PD(z) = - sum over the other aspects k' != k of the scaled gap of model k'."""
    own = scaled[np.arange(len(pair_aspect)), pair_aspect]
    return -(scaled.sum(axis=1) - own)


def pd_from_gaps(gaps: np.ndarray, pair_aspect: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """Eq. 13-15 in one call: returns (PD per pair, scaled gaps)."""
    scaled = scale_and_clip(gaps, quantile_scales(gaps, pair_aspect, gamma))
    return preference_divergence(scaled, pair_aspect), scaled


def balanced_fractions(share_longer_chosen: float, tau: float) -> tuple[float, float]:
    """Eq. 16: the softmax-with-temperature re-weighting of (f+, f-).

    f+ is the share of an aspect's pairs whose chosen response is at least as long as the
    rejected one. Returns (f^+, f^-); a larger tau balances more (tau -> inf gives 1/2, 1/2).
    """
    if tau <= 0:
        raise ValueError(f"tau must be positive, got {tau}")
    f_plus, f_minus = share_longer_chosen, 1.0 - share_longer_chosen
    top = max(f_plus, f_minus) / tau  # subtract the max before exp: no overflow for tiny tau
    e_plus, e_minus = math.exp(f_plus / tau - top), math.exp(f_minus / tau - top)
    return e_plus / (e_plus + e_minus), e_minus / (e_plus + e_minus)


def length_balanced_sample(
    delta_len: np.ndarray, p_r: float, tau: float, rng: np.random.Generator, balanced: bool = True
) -> np.ndarray:
    """Algorithm 1, lines 2-3: indices of a p_r sample of one aspect's pairs.

    With ``balanced`` the sample takes p_r * f^+ * |D_k| pairs from D_k^+ (chosen at least as long)
    and p_r * f^- * |D_k| from D_k^-, each capped by what the subset holds; without it, a uniform
    p_r sample (the A2 ablation). When one side holds fewer pairs than its quota, the other side
    fills the gap, so every reward model trains on p_r * |D_k| pairs (the paper leaves this open).
    """
    n = len(delta_len)
    size = int(round(p_r * n))
    if not balanced:
        return np.sort(rng.choice(n, size=size, replace=False))
    plus = np.flatnonzero(delta_len >= 0)
    minus = np.flatnonzero(delta_len < 0)
    f_hat_plus, _ = balanced_fractions(len(plus) / n if n else 0.5, tau)
    n_minus = min(len(minus), size - min(len(plus), int(round(size * f_hat_plus))))
    n_plus = min(len(plus), size - n_minus)
    chosen = np.concatenate([rng.choice(plus, n_plus, replace=False), rng.choice(minus, n_minus, replace=False)])
    return np.sort(chosen)

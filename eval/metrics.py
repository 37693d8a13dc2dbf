"""Win scores (paper Eq. 19), AW across sets, bootstrap confidence intervals, position consistency."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def win_score(outcomes: Sequence[str]) -> float:
    """(wins - losses) / n + 1: 2 = always wins, 1 = even, 0 = always loses (Eq. 19)."""
    n = len(outcomes)
    if n == 0:
        raise ValueError("no outcomes to score")
    return (outcomes.count("win") - outcomes.count("loss")) / n + 1.0


def bootstrap_ci(outcomes: Sequence[str], n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the win score, resampling prompts."""
    values = np.array([{"win": 1, "tie": 0, "loss": -1}[o] for o in outcomes])
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1) + 1.0
    tail = (1 - level) / 2 * 100
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def average_win(per_set: Mapping[str, Sequence[str]], n_boot: int = 1000, seed: int = 0) -> dict:
    """AW = mean ± std of the per-set win scores, with a bootstrap CI that resamples within each set."""
    scores = {name: win_score(outcomes) for name, outcomes in per_set.items()}
    rng = np.random.default_rng(seed)
    coded = {name: np.array([{"win": 1, "tie": 0, "loss": -1}[o] for o in outs]) for name, outs in per_set.items()}
    boot = np.mean([
        v[rng.integers(0, len(v), size=(n_boot, len(v)))].mean(axis=1) + 1.0 for v in coded.values()
    ], axis=0)
    return {
        "aw": float(np.mean(list(scores.values()))),
        "aw_std": float(np.std(list(scores.values()))),
        "aw_ci95": [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))],
        "per_set": scores,
    }


def position_consistency(verdict_pairs: Sequence[tuple[int | None, int | None]]) -> float | None:
    """Share of valid pairs whose two swapped-order verdicts agree (a position-robust judge gives 1)."""
    valid = [(a, b) for a, b in verdict_pairs if a is not None and b is not None]
    return sum(a == b for a, b in valid) / len(valid) if valid else None

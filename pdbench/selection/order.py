"""Order-based selection helpers shared by the budgeted strategies. Ties break by pair position."""

from __future__ import annotations

import numpy as np


def smallest(values: np.ndarray, k: int) -> tuple[int, ...]:
    """Positions of the k smallest values (e.g. the most negative PD: Eq. 10)."""
    return tuple(sorted(int(i) for i in np.argsort(values, kind="stable")[:k]))


def largest(values: np.ndarray, k: int) -> tuple[int, ...]:
    """Positions of the k largest values."""
    return smallest(-np.asarray(values), k)


def middle(values: np.ndarray, k: int) -> tuple[int, ...]:
    """Positions of the k values centred on the median."""
    order = np.argsort(values, kind="stable")
    start = (len(order) - k) // 2
    return tuple(sorted(int(i) for i in order[start : start + k]))

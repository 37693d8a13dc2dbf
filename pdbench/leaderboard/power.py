"""What a comparison of two strategies over seeds can tell: the paired difference, its CI, and what it can detect.

Cells of one seed share their data, PD scores and baseline, so two strategies are compared paired by seed:
the difference ``a - b`` per seed, its mean, the t-based 95 % confidence interval and two-sided p-value, and
the **minimum detectable difference** (MDD): the smallest true difference a paired t-test on these seeds
finds with probability ``power`` at two-sided level ``alpha``, given the spread the seeds showed,

    MDD(n) = (t_{1-alpha/2, n-1} + t_{power, n-1}) * sd / sqrt(n).

This is the usual t-quantile approximation of the noncentral-t power: about 5 % optimistic at 3 seeds, exact
to three decimals from 10. Read backwards it says how many seeds a target difference needs at a pilot's spread
(``seeds_needed``). A comparison that ends "within noise" is informative only when its MDD is small: a
difference that is not there is told apart from one the seeds could not see.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

ALPHA, POWER = 0.05, 0.8
"""Two-sided test level and power of every detectable difference pdbench prints."""
MOST_SEEDS = 10_000
"""``seeds_needed`` gives up beyond this many seeds (a pilot without spread in practice, or a target of ~0)."""


def minimum_detectable_difference(sd: float, seeds: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """The smallest true paired difference a two-sided paired t-test on ``seeds`` seeds detects with ``power``,
    when the per-seed differences have standard deviation ``sd``. Needs two seeds (one has no spread)."""
    if seeds < 2:
        raise ValueError(f"a paired t-test needs two seeds or more, got {seeds}")
    df = seeds - 1
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * sd / np.sqrt(seeds))


def seeds_needed(target: float, sd: float, alpha: float = ALPHA, power: float = POWER) -> int | None:
    """The fewest seeds (at least 2) whose minimum detectable difference is at most ``target`` at spread ``sd``
    (a pilot's sample sd of the paired differences); None beyond ``MOST_SEEDS``."""
    if target <= 0:
        raise ValueError(f"the target difference must be positive, got {target}")
    if sd == 0:
        return 2
    # MDD falls monotonically with the seeds: bisect between 2 and MOST_SEEDS.
    if minimum_detectable_difference(sd, MOST_SEEDS, alpha, power) > target:
        return None
    low, high = 2, MOST_SEEDS
    while low < high:
        middle = (low + high) // 2
        if minimum_detectable_difference(sd, middle, alpha, power) <= target:
            high = middle
        else:
            low = middle + 1
    return low


def pooled_sd(sds) -> float:
    """Root mean square of several comparisons' paired sds: one noise level for a design's comparisons."""
    values = np.asarray(list(sds), dtype=float)
    if values.size == 0:
        raise ValueError("no standard deviations to pool")
    return float(np.sqrt(np.mean(np.square(values))))


@dataclass(frozen=True)
class PairedDifference:
    """``a - b`` over the seeds both ran: mean, sample sd, n, paired t, two-sided p, the 95 % CI and the MDD."""

    mean: float
    sd: float
    n: int
    t: float
    p: float
    ci_low: float
    ci_high: float
    mdd: float
    """Minimum detectable difference at ``ALPHA`` / ``POWER`` for these n seeds and this sd."""

    def seeds_for(self, target: float) -> int | None:
        """Seeds a difference of ``target`` needs at this comparison's spread (it is the pilot)."""
        return seeds_needed(target, self.sd)

    def to_dict(self) -> dict:
        """Plain numbers, for JSON and tables."""
        return asdict(self)


def paired_difference(a: pd.Series, b: pd.Series, confidence: float = 0.95) -> PairedDifference | None:
    """``a - b`` paired by index (the seed): None when fewer than two seeds have both values.

    With no spread at all the test is degenerate: t is infinite and p 0 when the mean differs from 0, and
    t 0 and p 1 when it does not; the CI and the MDD are then the mean itself and 0.
    """
    diff = (a - b).dropna()
    n = len(diff)
    if n < 2:
        return None
    mean, sd = float(diff.mean()), float(diff.std(ddof=1))
    if sd == 0:
        t, p = (np.inf if mean else 0.0), (0.0 if mean else 1.0)
    else:
        t = float(mean / (sd / np.sqrt(n)))
        p = float(2 * stats.t.sf(abs(t), n - 1))
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1) * sd / np.sqrt(n))
    return PairedDifference(mean, sd, n, t, p, mean - half, mean + half, minimum_detectable_difference(sd, n))

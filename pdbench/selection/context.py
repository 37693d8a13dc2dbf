"""What a strategy may ask for: shared artifacts computed lazily and cached, and a seeded RNG."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from pdbench.pd.config import PDConfig
from pdbench.pd.estimate import PDResult, estimate_pd, rating_pd, unified_gaps


class StrategyContext:
    """Shared artifacts for the strategies of one (pair table, seed).

    Each artifact is computed on first use and cached on disk by content, so PD is computed
    once for every PD-based strategy and every budget.
    """

    def __init__(
        self, pairs: pd.DataFrame, seed: int = 0, pd_config: PDConfig | None = None, backend=None, force: bool = False,
        reward_base=None,
    ):
        self.pairs = pairs
        self.seed = seed
        self.pd_config = pd_config or PDConfig()
        self._backend = backend
        self.force = force
        self.reward_base = reward_base
        """The ``lm`` backend's ``pdbench.pd.lm_backend.RewardBase`` (prepared on first need), or None."""
        """Recompute cached artifacts instead of reading them (``--force pd``)."""
        self.used: set[str] = set()
        """Names of the artifacts a strategy asked for, so exports can include exactly those."""

    def rng(self) -> np.random.Generator:
        """A fresh generator seeded by the run's seed: the same seed gives the same draws."""
        return np.random.default_rng(self.seed)

    @cached_property
    def pd(self) -> PDResult:
        """PD from length-debiased per-aspect proxy reward models (paper §4)."""
        self.used.add("pd")
        return estimate_pd(self.pairs, self.pd_config, self.seed, "ours", self._get_backend(), self.force, self.reward_base)

    @cached_property
    def pd_without_length_mitigation(self) -> PDResult:
        """PD from reward models trained on uniform samples with ρ = 0 (ablation A2)."""
        self.used.add("pd_without_length_mitigation")
        return estimate_pd(self.pairs, self.pd_config, self.seed, "a2", self._get_backend(), self.force, self.reward_base)

    @cached_property
    def unified(self) -> PDResult:
        """One reward model over all pairs, no aspects (ablation A1); table column ``gap``."""
        self.used.add("unified")
        return unified_gaps(self.pairs, self.pd_config, self.seed, self._get_backend(), self.force, self.reward_base)

    @cached_property
    def pd_from_ratings(self) -> PDResult:
        """PD computed from the ground-truth fine-grained ratings."""
        self.used.add("pd_from_ratings")
        return rating_pd(self.pairs, self.pd_config.gamma)

    def _get_backend(self):
        # Built on first need only: a cache hit never loads the encoder.
        if self._backend is None:
            from pdbench.pd.estimate import make_backend

            self._backend = _LazyBackend(lambda: make_backend(self.pd_config, self.reward_base))
        return self._backend


class _LazyBackend:
    """Defers building the backend (loading the encoder) until a method is actually called."""

    def __init__(self, build):
        self._build, self._real = build, None

    def __getattr__(self, name):
        if self._real is None:
            self._real = self._build()
        return getattr(self._real, name)

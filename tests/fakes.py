"""Test doubles, named as such. Never imported by the package."""

import numpy as np
import pandas as pd


class FakeRewardBackend:
    """A reward-model backend whose 'models' read the true ratings plus seeded noise.

    It has the real backend's interface (lengths / fit / gaps), so PD estimation and every
    strategy run end to end in milliseconds.
    """

    def __init__(self, noise: float = 0.5):
        self.noise = noise
        self.fit_calls = 0

    def lengths(self, texts):
        return np.array([len(t.split()) for t in texts])

    def fit(self, samples, rho, seed):
        self.fit_calls += 1
        return {key: (key, seed) for key in samples}

    def gaps(self, head, pairs: pd.DataFrame):
        aspect, seed = head
        column = "mean" if aspect is None else aspect
        truth = (pairs[f"chosen_{column}"].astype(float) - pairs[f"rejected_{column}"].astype(float)).fillna(0.0)
        rng = np.random.default_rng([seed, len(pairs), hash(column) % 2**32])
        return truth.to_numpy() + rng.normal(0.0, self.noise, len(pairs))

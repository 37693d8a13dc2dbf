"""Overall: relabel every pair by the holistic overall score (paper §5.1, F2)."""

import numpy as np

from pdbench.selection.plan import Plan
from pdbench.selection.registry import register


@register("full")
class Overall:
    """DPO on all pairs relabelled by the holistic overall score; the pairwise baseline (Table 1, F2)."""

    def plan(self, pairs, budget, context):
        chosen, rejected = pairs["chosen_overall"].astype(float), pairs["rejected_overall"].astype(float)
        if chosen.isna().any() or rejected.isna().any():
            raise ValueError("strategy 'overall' needs an overall score on every response; this dataset lacks some")
        # Equal overall scores say nothing: keep the mean-score order there, like the oracle.
        flip = (chosen < rejected).to_numpy() | ((chosen == rejected).to_numpy() & pairs["is_conflict"].to_numpy())
        return Plan(rows=tuple(range(len(pairs))), relabel=frozenset(int(i) for i in np.flatnonzero(flip)))

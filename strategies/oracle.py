"""Oracle: relabel every pair by the mean fine-grained score (paper §5.1, F1)."""

import numpy as np

from pdbench.selection.plan import Plan
from pdbench.selection.registry import register


@register("full")
class Oracle:
    """DPO on all pairs relabelled by mean fine-grained score: needs every aspect rated (Table 1, F1)."""

    def plan(self, pairs, budget, context):
        # A conflicting pair is exactly one whose aspect label disagrees with the mean score.
        relabel = frozenset(int(i) for i in np.flatnonzero(pairs["is_conflict"].to_numpy()))
        return Plan(rows=tuple(range(len(pairs))), relabel=relabel)

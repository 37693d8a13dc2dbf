"""ALL: DPO on every pair as aggregated, conflicts included (paper §5.1, F3)."""

from pdbench.selection.plan import Plan
from pdbench.selection.registry import register


@register("full")
class All:
    """DPO on the whole aggregated multi-aspect dataset, labels as given (Table 1, F3 ALL)."""

    def plan(self, pairs, budget, context):
        return Plan(rows=tuple(range(len(pairs))))

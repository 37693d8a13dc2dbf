"""DMPO: the multi-preference objective of Eq. 2 with the estimated PD term (paper §3.1, F4)."""

from pdbench.selection.plan import Plan
from pdbench.selection.registry import register


@register("full")
class DMPO:
    """All pairs trained with the DMPO loss -log σ(κ·M + Δφ), Δφ = the estimated PD (Table 1, F4)."""

    def plan(self, pairs, budget, context):
        pd_term = tuple(float(v) for v in context.pd.table["pd"])
        return Plan(rows=tuple(range(len(pairs))), objective="dmpo", pd_term=pd_term)

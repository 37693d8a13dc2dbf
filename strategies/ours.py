"""OURS: PD selection, the pairs with the most negative PD (paper §4.3, Eq. 10, Algorithm 1)."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register
from pdbench.selection.order import smallest


@register("selection")
class Ours:
    """PD selection: the λ-subset with the most negative PD, from length-debiased proxy RMs (Eq. 10)."""

    def plan(self, pairs, budget, context):
        return Plan(rows=smallest(context.pd.table["pd"].to_numpy(), budget_size(budget, len(pairs))))

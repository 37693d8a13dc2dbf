"""MID: the pairs with PD around the median (paper §5.1, S3)."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register
from pdbench.selection.order import middle


@register("selection")
class Mid:
    """The λ-subset whose PD lies around the median PD (Table 1, S3 MID)."""

    def plan(self, pairs, budget, context):
        return Plan(rows=middle(context.pd.table["pd"].to_numpy(), budget_size(budget, len(pairs))))

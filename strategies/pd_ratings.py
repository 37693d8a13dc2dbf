"""PD from the ground-truth ratings instead of proxy reward models: an upper bound on PD selection."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register
from pdbench.selection.order import smallest


@register("reference", budgeted=True)
class PDRatings:
    """PD selection with PD computed from the true fine-grained ratings (needs all aspects rated)."""

    def plan(self, pairs, budget, context):
        return Plan(rows=smallest(context.pd_from_ratings.table["pd"].to_numpy(), budget_size(budget, len(pairs))))

"""HIGH: the pairs with the largest PD, the opposite of the principle (paper §5.1, S2)."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register
from pdbench.selection.order import largest


@register("selection")
class High:
    """The λ-subset with the largest PD: the most conflicting pairs (Table 1, S2 HIGH)."""

    def plan(self, pairs, budget, context):
        return Plan(rows=largest(context.pd.table["pd"].to_numpy(), budget_size(budget, len(pairs))))

"""A2: PD selection without length-bias mitigation (paper §5.4)."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register
from pdbench.selection.order import smallest


@register("ablation")
class A2:
    """Ablation A2: PD selection with RMs trained on uniform samples and ρ = 0 (Table 2)."""

    def plan(self, pairs, budget, context):
        pd_values = context.pd_without_length_mitigation.table["pd"].to_numpy()
        return Plan(rows=smallest(pd_values, budget_size(budget, len(pairs))))

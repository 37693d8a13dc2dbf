"""A1: one unified reward model, no aspects; keep the pairs it is most sure of (paper §5.4)."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register
from pdbench.selection.order import largest


@register("ablation")
class A1:
    """Ablation A1: one holistic RM on all pairs; the λ-subset with the largest reward gap (Table 2)."""

    def plan(self, pairs, budget, context):
        # Like the margin-based selectors the paper cites (Deng et al. 2025; Gao et al. 2025):
        # the largest chosen-minus-rejected gap marks the most reliable, least noisy pairs.
        return Plan(rows=largest(context.unified.table["gap"].to_numpy(), budget_size(budget, len(pairs))))

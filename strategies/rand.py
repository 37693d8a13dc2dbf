"""RAND: a uniform random subset at budget λ (paper §5.1, S1)."""

from pdbench.selection.plan import Plan, budget_size
from pdbench.selection.registry import register


@register("selection")
class Rand:
    """A uniformly random λ-subset of the pairs (Table 1, S1 RAND)."""

    def plan(self, pairs, budget, context):
        rows = context.rng().choice(len(pairs), size=budget_size(budget, len(pairs)), replace=False)
        return Plan(rows=tuple(sorted(int(r) for r in rows)))

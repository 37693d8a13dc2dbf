"""SFT: no preference training at all (Table 1's INIT row)."""

from pdbench.selection.plan import Plan
from pdbench.selection.registry import register


@register("reference")
class SFT:
    """The initial (SFT) model, untrained: the floor every strategy should beat (Table 1, INIT)."""

    def plan(self, pairs, budget, context):
        return Plan(rows=(), objective="none")

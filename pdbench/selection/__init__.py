"""The strategy contract: Plan, the registry, the shared StrategyContext, planning and order helpers.

A strategy file imports from here: ``pdbench.selection.plan`` (Plan, budget_size),
``pdbench.selection.registry`` (register) and ``pdbench.selection.order`` (smallest, largest, middle).
"""

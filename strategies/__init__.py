"""Data-selection strategies: one file, one class, one name (the file name).

Adding a strategy takes three steps:

1. Create ``strategies/<name>.py`` (or a file in your own folder, passed with
   ``--strategy-path DIR`` or the ``PDBENCH_STRATEGY_PATH`` variable, or exposed through the
   ``pdbench.strategies`` entry-point group of your own package).
2. Write one class with a docstring (its first line is the description shown by
   ``pdbench strategies list``) and a method ``plan(self, pairs, budget, context) -> Plan``:
   ``pairs`` is the aspect-labelled pair table, ``budget`` the selection budget λ, and
   ``context`` (``pdbench.selection.context.StrategyContext``) supplies shared artifacts lazily —
   ``context.pd.table["pd"]``, ``context.unified.table["gap"]``, ``context.pd_from_ratings``,
   ``context.rng()``. Never train, log or write files here.
3. Decorate the class with ``@register(kind)`` from ``pdbench.selection.registry``, kind being
   ``full``, ``selection``, ``ablation`` or ``reference``. Selection and ablation strategies must
   return exactly ``pdbench.selection.plan.budget_size(budget, len(pairs))`` rows; the runner checks.

Example::

    from pdbench.selection.plan import Plan, budget_size
    from pdbench.selection.registry import register
    from pdbench.selection.order import smallest

    @register("selection")
    class ShortestChosen:
        \"\"\"Keep the pairs whose chosen response is shortest.\"\"\"

        def plan(self, pairs, budget, context):
            return Plan(rows=smallest(pairs["chosen_len"].to_numpy(), budget_size(budget, len(pairs))))
"""

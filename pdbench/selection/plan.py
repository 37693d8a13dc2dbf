"""The Plan a strategy returns, and the one place every Plan is validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Objective = Literal["dpo", "dmpo", "none"]
STRATEGY_KINDS = ("full", "selection", "ablation", "reference")
"""full: trains on every pair; selection / ablation: keep round(budget * n) pairs;
reference: a point of comparison (no training, or an upper bound from ground-truth ratings, which
may itself select at the budget: it says so with ``register("reference", budgeted=True)``)."""
BUDGETED_KINDS = ("selection", "ablation")
"""Kinds that keep a budget's share of the pairs unless registered otherwise."""


def is_budgeted(strategy: str, budgeted: Mapping[str, bool]) -> bool:
    """Whether ``strategy`` keeps a budget's share of the pairs, by ``budgeted`` (name -> StrategyInfo.budgeted).

    A strategy missing from ``budgeted`` (say, from a folder not loaded here) counts as budgeted, as a
    selection strategy would: its cells then stay apart per budget rather than being pooled.
    """
    return budgeted.get(strategy, True)


class PlanError(ValueError):
    """A strategy returned a Plan that breaks the contract."""


@dataclass(frozen=True)
class Plan:
    """What to train on: which pairs, which of them to flip, and with which objective."""

    rows: tuple[int, ...]
    """Positions (0-based) of the pairs to train on, in the pair table given to the strategy."""
    relabel: frozenset[int] = frozenset()
    """Positions among ``rows`` whose chosen and rejected responses are swapped before training."""
    objective: Objective = "dpo"
    """``dpo``, ``dmpo`` (Eq. 2, needs ``pd_term``) or ``none`` (no training: the initial model)."""
    pd_term: tuple[float, ...] | None = None
    """For ``dmpo``: the PD term Δφ of each row, in the order of ``rows``."""


def budget_size(budget: float, n_pairs: int) -> int:
    """round(λ·|D|): the number of pairs a budgeted strategy keeps."""
    return int(round(budget * n_pairs))


def validate_plan(plan: Plan, n_pairs: int, budget: float, kind: str, name: str = "strategy",
                  budgeted: bool | None = None) -> Plan:
    """Check a Plan against the contract; returns it unchanged or raises PlanError naming the strategy.

    ``budgeted`` (default: by ``kind``) says whether the Plan must keep round(budget * n) rows.
    """
    def fail(problem: str) -> PlanError:
        return PlanError(f"strategy '{name}' returned an invalid Plan: {problem}")

    if not 0.0 < budget <= 1.0:
        raise PlanError(f"budget must be in (0, 1], got {budget}")
    if not isinstance(plan, Plan):
        raise fail(f"expected a pdbench.selection.plan.Plan, got {type(plan).__name__}")
    rows = plan.rows
    if len(set(rows)) != len(rows):
        raise fail("rows are not unique")
    if any(not 0 <= r < n_pairs for r in rows):
        raise fail(f"rows out of range [0, {n_pairs})")
    if not plan.relabel <= set(rows):
        raise fail("relabel names rows that are not trained on")
    if plan.objective not in ("dpo", "dmpo", "none"):
        raise fail(f"unknown objective {plan.objective!r}")
    if plan.objective == "none" and rows:
        raise fail("objective 'none' trains nothing, so rows must be empty")
    if plan.objective == "dmpo" and (plan.pd_term is None or len(plan.pd_term) != len(rows)):
        raise fail("dmpo needs one pd_term value per row")
    if plan.objective != "dmpo" and plan.pd_term is not None:
        raise fail("pd_term is only for the dmpo objective")
    if (kind in BUDGETED_KINDS if budgeted is None else budgeted) and len(rows) != budget_size(budget, n_pairs):
        raise fail(f"a budgeted {kind} strategy keeps round(budget * n) = {budget_size(budget, n_pairs)} rows, got {len(rows)}")
    if kind == "full" and len(rows) != n_pairs:
        raise fail(f"a full-data strategy trains on all {n_pairs} rows, got {len(rows)}")
    return plan

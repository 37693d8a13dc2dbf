import pytest

from pdbench.selection.plan import Plan, PlanError, budget_size, is_budgeted, validate_plan


def test_valid_plans_pass():
    validate_plan(Plan(rows=(0, 3, 5)), 10, 0.3, "selection")
    validate_plan(Plan(rows=tuple(range(10)), relabel=frozenset({1})), 10, 1.0, "full")
    validate_plan(Plan(rows=(), objective="none"), 10, 0.3, "reference")
    validate_plan(Plan(rows=(0, 1), objective="dmpo", pd_term=(0.1, -0.2)), 2, 1.0, "full")


@pytest.mark.parametrize("plan, kind, message", [
    (Plan(rows=(0, 0, 1)), "selection", "not unique"),
    (Plan(rows=(0, 1, 10)), "selection", "out of range"),
    (Plan(rows=(0, 1)), "selection", "keeps round"),
    (Plan(rows=(0, 1, 2), relabel=frozenset({4})), "selection", "relabel"),
    (Plan(rows=(0, 1, 2), objective="dmpo"), "selection", "pd_term"),
    (Plan(rows=(0, 1, 2)), "full", "all 10 rows"),
    (Plan(rows=(1,), objective="none"), "reference", "rows must be empty"),
])
def test_invalid_plans_name_the_problem(plan, kind, message):
    with pytest.raises(PlanError, match=message):
        validate_plan(plan, 10, 0.3, kind, "mine")


@pytest.mark.parametrize("budget", [0.0, -0.1, 1.5])
def test_budget_out_of_range(budget):
    with pytest.raises(PlanError, match="budget"):
        validate_plan(Plan(rows=()), 10, budget, "selection")


def test_budget_size_rounds():
    assert budget_size(0.3, 1000) == 300 and budget_size(0.25, 10) == 2 and budget_size(1.0, 7) == 7


def test_is_budgeted_by_registration_and_unknown_strategies_count_as_selections():
    from pdbench.selection.registry import discover

    budgeted = {name: info.budgeted for name, info in discover().items()}
    names = ("ours", "a1", "all", "sft", "pd_ratings", "my_new_one")
    assert [is_budgeted(s, budgeted) for s in names] == [True, True, False, False, True, True]


def test_a_budgeted_reference_is_size_checked_and_a_list_is_not_a_plan():
    with pytest.raises(PlanError, match="keeps round"):
        validate_plan(Plan(rows=(0,)), 10, 0.3, "reference", "pd_ratings", budgeted=True)
    with pytest.raises(PlanError, match="expected a pdbench.selection.plan.Plan, got list"):
        validate_plan([0, 1, 2], 10, 0.3, "selection", "mine")

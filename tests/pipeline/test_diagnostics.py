"""What a selection is and teaches, written by the pipeline beside the exported pairs."""

import json

from pdbench.pipeline.diagnostics import taught_by, write_diagnostics
from pdbench.selection.plan import Plan
from pdbench.selection.planning import make_plan
from tests.strategies.test_contract import context, pairs  # noqa: F401  (fixtures)


def test_diagnostics_describe_the_selection_and_its_pd(pairs, context, tmp_path):  # noqa: F811
    plan = make_plan("ours", pairs, 0.3, context)
    written = write_diagnostics(pairs, plan, context, tmp_path / "out")
    assert [p.name for p in written] == ["diagnostics.json", "length_difference.png"]
    diagnostics = json.loads((tmp_path / "out" / "diagnostics.json").read_text())
    assert set(diagnostics["pd"]["rm_accuracy"]) == set(pairs["aspect"])
    assert diagnostics["selection"]["selected"]["pairs"] == len(plan.rows)
    assert diagnostics["taught"] is None  # not world data: no gold rubric to teach against
    assert (tmp_path / "out" / "pd_conflict_matrix.png").stat().st_size > 1000


def test_an_empty_plan_teaches_nothing(pairs):  # noqa: F811
    assert taught_by(pairs, Plan(rows=(), objective="none")) is None

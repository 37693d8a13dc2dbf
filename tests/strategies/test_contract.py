"""Every registered strategy honours the Plan contract (size, uniqueness, determinism, λ = 1)."""

import pytest

from pdbench.selection.context import StrategyContext
from pdbench.data.pairs import build_pairs
from pdbench.data.ultrafeedback import parse_ultrafeedback
from pdbench.selection.plan import budget_size
from pdbench.selection.planning import export_plan, make_plan, planned_pairs
from pdbench.selection.registry import discover
from tests.data.conftest import random_uf_records
from tests.fakes import FakeRewardBackend

STRATEGIES = sorted(discover())


@pytest.fixture(scope="module")
def pairs():
    table, _ = build_pairs(parse_ultrafeedback(random_uf_records(300), "fixture"), 0.2, seed=0)
    return table


@pytest.fixture
def context(pairs, tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    return StrategyContext(pairs, seed=0, backend=FakeRewardBackend())


@pytest.mark.parametrize("name", STRATEGIES)
@pytest.mark.parametrize("budget", [0.3, 1.0])
def test_plan_contract(name, budget, pairs, context):
    info = discover()[name]
    plan = make_plan(name, pairs, budget, context)  # validates and checks determinism
    if info.budgeted:
        assert len(plan.rows) == budget_size(budget, len(pairs))
    if budget == 1.0 and plan.objective != "none":
        assert sorted(plan.rows) == list(range(len(pairs)))  # λ = 1 keeps everything


@pytest.mark.parametrize("name", STRATEGIES)
def test_same_seed_same_plan_across_contexts(name, pairs, tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    first = make_plan(name, pairs, 0.3, StrategyContext(pairs, seed=4, backend=FakeRewardBackend()))
    second = make_plan(name, pairs, 0.3, StrategyContext(pairs, seed=4, backend=FakeRewardBackend()))
    assert first == second


def test_pd_is_computed_once_for_every_pd_strategy(pairs, context):
    backend = context._backend
    for name in ("ours", "high", "mid", "dmpo"):
        for budget in (0.1, 0.3, 0.5):
            make_plan(name, pairs, budget, context)
    assert backend.fit_calls == 1


def test_oracle_and_overall_orient_pairs(pairs, context):
    oracle = planned_pairs(pairs, make_plan("oracle", pairs, 1.0, context))
    assert (oracle["chosen_mean"] > oracle["rejected_mean"]).all()
    assert sorted(oracle.loc[oracle["relabelled"], "pair_id"]) == sorted(pairs.loc[pairs["is_conflict"], "pair_id"])
    overall = make_plan("overall", pairs, 1.0, context)
    flipped = pairs.iloc[sorted(overall.relabel)]
    assert (flipped["chosen_overall"] <= flipped["rejected_overall"]).all()


def test_selection_order(pairs, context):
    pd_values = context.pd.table["pd"].to_numpy()
    ours = make_plan("ours", pairs, 0.3, context).rows
    high = make_plan("high", pairs, 0.3, context).rows
    mid = make_plan("mid", pairs, 0.3, context).rows
    assert pd_values[list(ours)].max() <= pd_values[list(mid)].min() + 1e-12
    assert pd_values[list(mid)].max() <= pd_values[list(high)].min() + 1e-12


def test_export_writes_trl_jsonl_and_pd(pairs, context, tmp_path):
    import json

    plan = make_plan("ours", pairs, 0.3, context)
    written = export_plan(pairs, plan, context, tmp_path / "out")
    assert [p.name for p in written] == ["train.jsonl", "pd.parquet"]  # diagnostics are the pipeline's
    first = json.loads((tmp_path / "out" / "train.jsonl").read_text().splitlines()[0])
    assert first["prompt"][0]["role"] == "user" and first["chosen"][0]["role"] == "assistant"
    assert {"pair_id", "aspect", "is_conflict"} <= set(first)

"""Sweeps: cells, one parent + one child run per cell, resume skipping finished cells (pipeline faked)."""

import json

import pytest

from pdbench.presets import resolve_config
from pdbench.sweep import run_sweep, sweep_cells


def test_full_strategies_ignore_the_budget():
    cells = sweep_cells(["ours", "all"], [0.1, 0.3], [0.1, 0.3], [0])
    assert len([c for c in cells if c[0] == "ours"]) == 4
    assert len([c for c in cells if c[0] == "all"]) == 2


@pytest.fixture
def fake_pipeline(monkeypatch):
    """Stands in for the real pipeline: writes a result.json like a finished run would."""
    calls = []

    def fake_run_pipeline(config, run_dir, force=frozenset(), strategy_paths=()):
        calls.append(run_dir.name)
        if len(calls) == 3 and not fake_run_pipeline.allow_all:
            raise KeyboardInterrupt
        result = {
            "config": config.to_dict(),
            "plan": {"rows": 3, "relabelled": 0, "objective": "dpo", "selected_conflict_rate": 0.1},
            "pairwise": {"sets": {"facts": {"win_score": 1.2, "avg_length": 40.0, "invalid_verdicts": 0}},
                         "aw": 1.0 + config.conflict, "aw_std": 0.1, "aw_ci95": [0.9, 1.1], "judge": "rubric:world-v1"},
            "alpaca_eval": {"win_rate": 50.0, "length_controlled_winrate": 49.0},
            "gpu_hours": {"selection": 0.1, "training": 0.2, "evaluation": 0.1, "total": 0.4, "device": "cpu"},
        }
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "result.json").write_text(json.dumps(result))
        return result

    fake_run_pipeline.allow_all = False
    import pdbench.runner

    monkeypatch.setattr(pdbench.runner, "run_pipeline", fake_run_pipeline)
    return fake_run_pipeline, calls


def test_parent_and_children_and_resume(tmp_path, monkeypatch, fake_pipeline):
    import mlflow

    fake, calls = fake_pipeline
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    cells = sweep_cells(["rand", "ours", "all"], [0.2, 0.3], [0.3], [0])
    base = resolve_config("smoke")
    with pytest.raises(KeyboardInterrupt):
        run_sweep(base, cells, tmp_path / "sweep", "sweep-test")
    fake.allow_all = True
    state = run_sweep(base, cells, tmp_path / "sweep", "sweep-test")
    assert len(calls) == 6 + 1  # the interrupted cell ran twice, the two finished ones once
    runs = mlflow.search_runs(experiment_names=["sweep-test"])
    parents = runs[runs["tags.pdbench.kind"] == "sweep"]
    children = runs[runs["tags.mlflow.parentRunId"] == state["parent_run_id"]]
    assert len(parents) == 1 and len(children) == 6
    assert set(children["tags.strategy"]) == {"rand", "ours", "all"}

    from pdbench.leaderboard import runs_frame, table1
    from pdbench.tracking import search_cell_runs

    table = table1(runs_frame(search_cell_runs("sweep-test", state["parent_run_id"])))
    assert len(table) == 3 and ("CL 30%", "AW") in table.columns

"""Sweeps: cells, one parent + one child run per cell, resume skipping finished cells, parallel workers,
sync of an untracked sweep (pipeline faked)."""

import os

import pytest

from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.sweep import run_sweep, strategy_names, sweep_cells, sync_sweep
from tests.fakes import fake_run_cell, write_fake_cell


def test_full_strategies_ignore_the_budget():
    cells = sweep_cells(["ours", "all"], [0.1, 0.3], [0.1, 0.3], [0])
    assert len([c for c in cells if c[0] == "ours"]) == 4
    assert len([c for c in cells if c[0] == "all"]) == 2


def test_strategies_all_alone_is_every_strategy_and_all_comma_is_the_all_strategy(capsys):
    every = strategy_names("all")
    assert {"all", "ours", "rand", "sft", "overall"} <= set(every)
    assert "the `all` strategy alone write --strategies all," in capsys.readouterr().out
    assert strategy_names("all,") == ["all"]
    assert strategy_names(" rand, all ,") == ["rand", "all"]


@pytest.fixture
def fake_pipeline(monkeypatch):
    """Stands in for the real pipeline: writes a result.json like a finished run would."""
    calls = []

    def fake_run_pipeline(config, run_dir, force=frozenset(), strategy_paths=()):
        calls.append(run_dir.name)
        if len(calls) == 3 and not fake_run_pipeline.allow_all:
            raise KeyboardInterrupt
        return write_fake_cell(config, run_dir)

    fake_run_pipeline.allow_all = False
    import pdbench.pipeline.runner

    monkeypatch.setattr(pdbench.pipeline.runner, "run_pipeline", fake_run_pipeline)
    return fake_run_pipeline, calls


def test_parent_and_children_and_resume(tmp_path, monkeypatch, fake_pipeline):
    import mlflow

    fake, calls = fake_pipeline
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)  # a SQLite store puts artifacts in ./mlruns of the working folder
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

    from pdbench.leaderboard.table import runs_frame, table1
    from pdbench.tracking.store import search_cell_runs

    table = table1(runs_frame(search_cell_runs("sweep-test", state["parent_run_id"])))
    assert len(table) == 3 and ("CL 30%", "AW") in table.columns


def test_workers_run_cells_in_parallel_and_an_untracked_sweep_syncs_later(tmp_path, monkeypatch):
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)  # a SQLite store puts artifacts in ./mlruns of the working folder
    cells = sweep_cells(["rand", "ours"], [0.2, 0.3], [0.3], [0, 1])
    sweep_dir = tmp_path / "sweep-gpu"
    state = run_sweep(resolve_config("smoke"), cells, sweep_dir, "unused", track=False, workers=2,
                      run_cell=fake_run_cell)
    assert set(state["done"].values()) == {"untracked"} and len(state["done"]) == 8
    pids = {(sweep_dir / name / "pid").read_text() for name in state["done"]}
    assert len(pids) == 2 and str(os.getpid()) not in pids  # two worker processes, not this one

    (sweep_dir / "ours-c0.3-b0.3-s9").mkdir()  # a cell killed before it finished: skipped, not uploaded
    state = sync_sweep(sweep_dir, "synced")
    children = mlflow.search_runs(experiment_names=["synced"],
                                  filter_string=f"tags.mlflow.parentRunId = '{state['parent_run_id']}'")
    assert len(children) == 8 and "untracked" not in state["done"].values()
    again = sync_sweep(sweep_dir, "synced")  # nothing new: no duplicate children
    assert again["parent_run_id"] == state["parent_run_id"]
    assert len(mlflow.search_runs(experiment_names=["synced"], filter_string="tags.strategy != ''")) == 8


def test_unreachable_tracking_server_runs_the_sweep_untracked_for_a_later_sync(tmp_path, monkeypatch, fake_pipeline,
                                                                              capsys):
    fake, calls = fake_pipeline
    fake.allow_all = True
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    cells = sweep_cells(["rand", "all"], [0.3], [0.3], [0])
    state = run_sweep(resolve_config("smoke"), cells, tmp_path / "sweep", "down")
    assert not state["is_tracked"] and set(state["done"].values()) == {"untracked"} and len(calls) == 2
    err = capsys.readouterr().err
    assert "unreachable" in err and f"pdbench sync {tmp_path / 'sweep'}" in err


def test_workers_get_their_own_gpus_or_share_single_process_cells():
    from pdbench.pipeline.sweep import gpu_groups

    assert gpu_groups(2, 4, [str(i) for i in range(8)]) == ["0,1,2,3", "4,5,6,7"]
    assert gpu_groups(3, 1, ["4", "5"]) == ["4", "5", "4"]  # 135M cells share a GPU well
    assert gpu_groups(2, 2, []) == [None, None]  # a CPU machine
    with pytest.raises(ValueError, match="needs 16 GPUs; 8 visible: lower --workers to 1"):
        gpu_groups(2, 8, [str(i) for i in range(8)])


def test_an_untracked_sweep_prints_its_comparisons_from_the_cell_folders(tmp_path, fake_pipeline):
    from pdbench.pipeline.sweep import run_grid

    fake, _ = fake_pipeline
    fake.allow_all = True
    files = run_grid(resolve_config("smoke"), "rand,ours", "0.3", "0.3", "0,1", tmp_path / "sweep", None)
    assert [f.name for f in files] == ["comparisons.md", "comparisons.csv"]
    assert files[0].parent == tmp_path / "sweep" / "leaderboard" and "| ours | rand | 2 |" in files[0].read_text()

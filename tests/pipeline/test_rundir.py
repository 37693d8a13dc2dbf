"""Run folders: distinct default names, one process at a time, no stale result, `pdbench sync` uploads once
and exits non-zero when it cannot."""

import json

import pytest
from click.testing import CliRunner

from pdbench.cli import main
from pdbench.pipeline.config import resolve_config
from pdbench.pipeline.rundir import RunDirBusyError, check_finished, claim, clear_results, default_run_dir
from tests.fakes import write_fake_cell


def test_default_name_is_readable_and_differs_when_anything_else_differs():
    plain = resolve_config("smoke", strategy="rand", seed=1)
    assert default_run_dir(plain).name == "rand-c0.3-b0.3-s1-smoke"
    names = {default_run_dir(resolve_config("smoke", strategy="rand", seed=1, **change)).name for change in
             ({"judge": "openai:gpt-4o"}, {"policy": "other/model"}, {"dataset": "data.jsonl"}, {"train": {"beta": 0.2}})}
    assert len(names) == 4 and all(n.startswith("rand-c0.3-b0.3-s1-smoke-") for n in names)


def test_a_second_process_of_the_same_run_folder_stops_at_once(tmp_path):
    with claim(tmp_path / "run"):
        with pytest.raises(RunDirBusyError, match=r"run folder .*run is in use by another pdbench process \(pid \d+\)"):
            with claim(tmp_path / "run"):
                pass
    with claim(tmp_path / "run"):  # released
        pass


def test_a_new_config_beside_an_old_result_is_refused(tmp_path):
    config = resolve_config("smoke")
    write_fake_cell(config, tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(config.to_dict()))
    check_finished(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(resolve_config("smoke", seed=5).to_dict()))
    with pytest.raises(ValueError, match="result.json is stale"):
        check_finished(tmp_path)
    clear_results(tmp_path)  # what a new run does first
    with pytest.raises(FileNotFoundError, match="did not finish"):
        check_finished(tmp_path)


def _run_folder(path):
    config = resolve_config("smoke")
    write_fake_cell(config, path)
    (path / "config.json").write_text(json.dumps(config.to_dict()))
    return path


def test_sync_uploads_a_run_folder_once_and_fails_loudly(tmp_path, monkeypatch):
    import mlflow

    run_dir = _run_folder(tmp_path / "ours-c0.3-b0.3-s0-smoke")
    runner = CliRunner()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "3")
    failed = runner.invoke(main, ["sync", str(run_dir), "--experiment", "synced"])
    assert failed.exit_code == 1 and "1 of 1 folder(s) not uploaded" in failed.output

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    for _ in range(2):
        result = runner.invoke(main, ["sync", str(run_dir), "--experiment", "synced"])
        assert result.exit_code == 0, result.output
    assert "already uploaded as MLflow run" in result.output
    assert len(mlflow.search_runs(experiment_names=["synced"])) == 1

    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    result = runner.invoke(main, ["sync", str(unfinished)])
    assert result.exit_code == 1 and "holds no result.json" in result.output

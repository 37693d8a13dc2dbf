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


def test_a_claim_that_wrote_nothing_leaves_no_folder(tmp_path):
    with claim(tmp_path / "new"):
        assert (tmp_path / "new" / ".pdbench.lock").exists()
    assert not (tmp_path / "new").exists()  # a run that failed before writing anything: no lock-only folder
    with claim(tmp_path / "used"):
        (tmp_path / "used" / "config.json").write_text("{}")
    assert (tmp_path / "used" / "config.json").exists()
    (tmp_path / "old").mkdir()
    with claim(tmp_path / "old"):
        pass
    assert (tmp_path / "old").is_dir()  # not created by the claim: kept


def test_two_syncs_of_one_folder_at_once_upload_it_once(tmp_path, monkeypatch):
    import threading
    import time

    from pdbench.pipeline import tracked

    run_dir = tmp_path / "run"
    write_fake_cell(resolve_config("smoke"), run_dir)
    uploads = []

    def slow_fake_upload(folder, experiment):
        uploads.append(folder)
        time.sleep(0.5)
        return "run-1"

    monkeypatch.setattr(tracked, "track_run_dir", slow_fake_upload)
    monkeypatch.setattr(tracked, "run_location", lambda run_id, experiment: f"MLflow run {run_id}", raising=False)
    monkeypatch.setattr(tracked, "tracking_uri", lambda: "sqlite:///fake.db")
    failed, lines = [], []
    syncs = [threading.Thread(target=lambda: failed.append(tracked.sync_folders([run_dir], "e", lambda *a, **k:
                                                                                  lines.append(a[0]))))
             for _ in range(2)]
    for sync in syncs:
        sync.start()
    for sync in syncs:
        sync.join()
    assert len(uploads) == 1
    assert sorted(len(f) for f in failed) == [0, 1] and any("is in use by another pdbench process" in line
                                                            for line in lines)
    assert tracked.sync_folders([run_dir], "e", lines.append) == [] and lines[-1].endswith(
        "already uploaded as MLflow run run-1 (delete " + str(run_dir / "synced.json") + " to upload it again)")

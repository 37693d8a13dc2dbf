"""A run's MLflow record: kept in its folder, sent live or later, never twice; readable under old names."""

import mlflow
import pytest

from pdbench.tracking.journal import Journal
from pdbench.pipeline.config import resolve_config
from pdbench.tracking.publish import LiveTracking, track_run_dir
from pdbench.tracking.record import curve_event, metrics_event
from pdbench.tracking.store import search_cell_runs, send_pending, tracking_uri
from tests.fakes import write_fake_cell


@pytest.fixture(scope="module")
def store_uri(tmp_path_factory):
    """One SQLite store for the module (creating one takes seconds); tests use their own experiments."""
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'mlflow.db'}"


@pytest.fixture
def store(store_uri, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a SQLite store puts artifacts in ./mlruns of the working folder
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store_uri)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    mlflow.set_tracking_uri(store_uri)
    yield store_uri
    mlflow.set_tracking_uri(None)


def started_journal(run_dir, params=None):
    journal = Journal(run_dir)
    journal.begin(run_dir.name, params or {"strategy": "ours", "train.beta": 0.1},
                  {"strategy": "ours", "conflict": "0.3", "budget": "0.3", "seed": "0"})
    return journal


def test_events_are_sent_once_as_the_record_grows(store, tmp_path):
    journal = started_journal(tmp_path / "run")
    run_id = send_pending(journal, "live")
    journal.append(curve_event([{"loss": 0.69, "rewards/margins": 0.0, "step": 1, "epoch": 0.5},
                                {"loss": 0.60, "rewards/margins": 0.2, "step": 2, "epoch": 1.0},
                                {"train_runtime": 9.0, "train_loss": 0.65, "step": 2}], "train"))
    assert send_pending(journal, "live") == run_id
    assert send_pending(journal, "live") == run_id  # nothing new: nothing sent
    client = mlflow.MlflowClient()
    assert [m.value for m in client.get_metric_history(run_id, "train/loss")] == [0.69, 0.60]
    assert [m.step for m in client.get_metric_history(run_id, "train/rewards/margins")] == [1, 2]
    assert "train/epoch" not in client.get_run(run_id).data.metrics
    assert client.get_run(run_id).info.status == "RUNNING"
    assert len(mlflow.search_runs(experiment_names=["live"])) == 1


def test_resuming_an_unfinished_run_continues_it_and_a_finished_one_starts_anew(tmp_path):
    run_dir = tmp_path / "run"
    journal = started_journal(run_dir)
    journal.append(metrics_event({"stage_seconds/pairs": 1.0}))
    started_journal(run_dir)  # the same command again after an interruption
    journal.append(metrics_event({"stage_seconds/pairs": 1.0}))  # a cached stage's curve, logged again: left out
    assert [e["kind"] for e in journal.events()] == ["start", "status", "metrics", "status"]
    journal.append({"kind": "status", "status": "FINISHED"})
    started_journal(run_dir)
    assert [e["kind"] for e in journal.events()] == ["start", "status"]
    started_journal(run_dir, params={"strategy": "rand"})
    assert journal.events()[0]["params"] == {"strategy": "rand"}


def test_unreachable_server_keeps_the_record_and_sync_sends_it_whole(store, tmp_path, monkeypatch):
    run_dir = tmp_path / "cell"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://user:secret@127.0.0.1:9")  # nothing listens there
    mlflow.set_tracking_uri("http://user:secret@127.0.0.1:9")
    lines = []
    live = LiveTracking("offline", lines.append)
    journal = started_journal(run_dir)
    live.publish(journal)
    live.close(run_dir)
    assert "unreachable" in lines[0] and f"pdbench sync {run_dir}" in lines[-1]
    assert "secret" not in "\n".join(lines) and "secret" not in tracking_uri()
    write_fake_cell(resolve_config("smoke"), run_dir)
    journal.append(metrics_event({"aw": 1.2, "gpu_hours.training": 0.5}))
    journal.append({"kind": "status", "status": "FINISHED"})

    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    mlflow.set_tracking_uri(store)
    run_id = track_run_dir(run_dir, "offline")
    assert track_run_dir(run_dir, "offline") == run_id  # syncing twice: still one run
    run = mlflow.MlflowClient().get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["AW/average_win_score"] == 1.2 and run.data.metrics["device_hours/training"] == 0.5
    assert not any("secret" in str(v) for v in [*run.data.params.values(), *run.data.tags.values()])
    assert "secret" not in (run_dir / "mlflow" / "sent.json").read_text()


def test_folders_without_a_record_are_rebuilt_from_result_json_and_read_back_under_short_names(store, tmp_path):
    config = resolve_config("smoke", strategy="rand", conflict=0.2)
    write_fake_cell(config, tmp_path / "old")
    run_id = track_run_dir(tmp_path / "old", "legacy")
    run = mlflow.MlflowClient().get_run(run_id)
    assert run.data.metrics["AlpacaEval/LC_length_controlled_win_rate_pct"] == 49.0
    assert run.data.metrics["win_score/facts"] == 1.2 and run.data.tags["device"] == "cpu"
    assert "sft.dataset" not in run.data.params and "pd.lm_model" not in run.data.params
    assert "None" not in run.data.params.values()
    # A run logged under the old bare names, as stores written before the rename hold them.
    mlflow.set_experiment("legacy")
    with mlflow.start_run(run_name="before-rename"):
        mlflow.set_tags({"strategy": "all", "conflict": "0.2", "budget": "0.3", "seed": "0"})
        mlflow.log_metrics({"aw": 1.1, "lc": 52.0, "win_score.facts": 1.0})
    runs = search_cell_runs("legacy").set_index("tags.strategy")
    assert runs.loc["rand", "metrics.aw"] == pytest.approx(1.2) and runs.loc["all", "metrics.aw"] == 1.1
    assert runs.loc["rand", "metrics.lc"] == 49.0 and runs.loc["all", "metrics.win_score.facts"] == 1.0
    assert not [c for c in runs.columns if c.startswith("metrics.AW/")]


def test_unfinished_folder_is_not_synced(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(FileNotFoundError, match="did not finish"):
        track_run_dir(tmp_path / "half", "x")


def test_under_mlflow_run_the_record_goes_into_its_run(store, tmp_path, monkeypatch):
    client = mlflow.MlflowClient()
    outer = client.create_run(client.create_experiment("projects")).info.run_id
    client.log_param(outer, "conflict", ".3")  # `mlflow run -P conflict=.3` logged the entry point's spelling
    monkeypatch.setenv("MLFLOW_RUN_ID", outer)
    journal = Journal(tmp_path / "cell")
    journal.begin("cell", {"conflict": 0.3, "train.beta": 0.1}, {"strategy": "ours"})
    assert send_pending(journal, "pdbench") == outer
    run = client.get_run(outer)
    assert run.data.params == {"conflict": ".3", "train.beta": "0.1"} and run.data.tags["strategy"] == "ours"


def test_an_uploaded_run_links_to_its_page_and_its_experiments_runs(store, tmp_path):
    """MLflow 3 opens an experiment on its GenAI overview, where a training run does not show: link the pages."""
    from pdbench.tracking.publish import run_location

    run_id = send_pending(started_journal(tmp_path / "run"), "links")
    experiment_id = mlflow.get_experiment_by_name("links").experiment_id
    runs_page = f"http://127.0.0.1:5000/#/experiments/{experiment_id}/runs"
    text = run_location(run_id, "links")
    assert text.startswith(f"MLflow run {run_id} in experiment 'links' at {tracking_uri()}")
    assert f"`mlflow ui --backend-store-uri {tracking_uri()}`: {runs_page}/{run_id}" in text
    assert text.endswith(f"(the experiment's runs: {runs_page})")

"""MLflow tracking: the one module that imports mlflow.

A run's record is kept in its folder first (``pdbench.tracking.journal``) and sent from there: live while
the run goes when the server is reachable, otherwise later by ``pdbench sync``. Runs carry tags
(strategy, conflict, budget, seed, preset, dataset, device, judge, package versions, git SHA) so
the MLflow UI and ``pdbench leaderboard`` can group them. The tracking URI is MLflow's own
default (``sqlite:///mlflow.db`` in the working directory for MLflow >= 3.7) unless
``MLFLOW_TRACKING_URI`` says otherwise. API keys are never logged: only the *name* of the
environment variable that holds one is a parameter, and printed URIs lose their credentials.

Metric names inside pdbench (and in ``result.json``) are short (``aw``, ``wr`` ...); MLflow shows
them under names that say what they are and in which unit (``METRIC_NAMES``), and
``search_cell_runs`` translates them back, so runs logged before the rename read the same.
"""

from __future__ import annotations

import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import mlflow
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

from pdbench.results import BEHAVIOUR, BEHAVIOUR_VS_SFT
from pdbench.tracking.journal import Journal
from pdbench.tracking.record import flatten, git_sha

EXPERIMENT = "pdbench"
METRIC_NAMES = {
    "aw": "AW/average_win_score",
    "aw_std": "AW/std_over_sets",
    "aw_ci95_low": "AW/ci95_low",
    "aw_ci95_high": "AW/ci95_high",
    "wr": "AlpacaEval/WR_win_rate_pct",
    "lc": "AlpacaEval/LC_length_controlled_win_rate_pct",
    "avg_length": "answer_length/policy_chars",
    "baseline_avg_length": "answer_length/baseline_chars",
    "invalid_verdicts": "judge/invalid_verdicts",
    "selected_conflict_rate": "selection/conflict_rate_of_selected_pairs",
}
"""pdbench's metric key -> its name in MLflow."""
METRIC_PREFIXES = {"win_score.": "win_score/", "gpu_hours.": "device_hours/", BEHAVIOUR: "behaviour/",
                   BEHAVIOUR_VS_SFT: "behaviour_vs_sft/", "taught.": "taught/"}
"""Key prefixes renamed the same way (per test set, per stage)."""
BATCH = 1000
"""MLflow's limit of metrics per logged batch (params: 100)."""


def mlflow_metric_name(key: str) -> str:
    """The name MLflow shows for one of pdbench's metric keys."""
    if key in METRIC_NAMES:
        return METRIC_NAMES[key]
    for old, new in METRIC_PREFIXES.items():
        if key.startswith(old):
            return new + key.removeprefix(old)
    return key


def tracking_uri() -> str:
    """Where runs go, for printing: the tracking URI without credentials."""
    parts = urlsplit(mlflow.get_tracking_uri())
    if not parts.password and not parts.username:
        return mlflow.get_tracking_uri()
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


LOCAL_UI = "http://127.0.0.1:5000"
"""Where ``mlflow ui`` serves a local store (a SQLite file, a folder) by default."""


def ui_links(run_id: str) -> tuple[str, str] | None:
    """The MLflow UI's page of a run and its experiment's runs page, or None when the store cannot say.

    Linked because MLflow 3 opens an experiment on its GenAI overview ("Traces"), where training runs do not
    show; they are on the runs page. A server's own UI serves the pages; a local store's are ``mlflow ui``'s.
    """
    try:
        experiment_id = mlflow.MlflowClient().get_run(run_id).info.experiment_id
    except Exception:  # links are a courtesy: a store that stopped answering must not fail the run
        return None
    is_server = urlsplit(tracking_uri()).scheme in ("http", "https")
    runs = f"{tracking_uri().rstrip('/') if is_server else LOCAL_UI}/#/experiments/{experiment_id}/runs"
    return f"{runs}/{run_id}", runs


def store_id() -> str:
    """The tracking store's identity: the URI without credentials, with a local database or folder made
    absolute (``sqlite:///mlflow.db`` in two working folders are two stores)."""
    uri = tracking_uri()
    for scheme in ("sqlite:///", "file://"):
        if uri.startswith(scheme):
            return scheme + str(Path(uri.removeprefix(scheme)).resolve())
    return uri if "://" in uri else str(Path(uri).resolve())


class TrackingUnavailableError(ConnectionError):
    """The tracking server cannot be reached, or fails, where pdbench needs an answer from it (the leaderboard)."""


def check_reachable(consequence: str) -> None:
    """Raise TrackingUnavailableError (one line: the URI, why, and ``consequence``) unless the store answers."""
    reason = unreachable_reason()
    if reason:
        raise TrackingUnavailableError(f"MLflow at {tracking_uri()} is unreachable ({reason}): {consequence}")


def unreachable_reason() -> str | None:
    """Why the tracking server cannot be reached right now (one quick request), or None when it can;
    local stores (a SQLite file, a folder) are always reachable."""
    uri = mlflow.get_tracking_uri()
    if urlsplit(uri).scheme not in ("http", "https"):
        return None
    try:
        urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=5)
    except urllib.error.HTTPError:
        return None  # it answered (a proxy without /health, say): let MLflow's own requests decide
    except OSError as error:
        return f"{type(error).__name__}: {getattr(error, 'reason', error)}"
    return None


# MLflow announces creating a SQLite store's tables at INFO level, in the middle of a run's output.
logging.getLogger("mlflow.store.db.utils").setLevel(logging.WARNING)


def send_pending(journal: Journal, experiment: str = EXPERIMENT, parent_run_id: str | None = None) -> str:
    """Send the journal's events the tracking store has not received yet; returns the MLflow run id.

    Raises whatever MLflow raises when the store fails; what was sent before the failure stays sent.
    """
    _fail_fast()
    client = mlflow.MlflowClient()
    store = store_id()
    where = journal.destination(store, experiment)
    run_id, events = where["run_id"], journal.events()
    for index in range(where["sent"], len(events)):
        run_id = _send(client, events[index], run_id, experiment, parent_run_id, journal.run_dir)
        journal.mark_sent(store, experiment, run_id, index + 1)
    return run_id


def _fail_fast() -> None:
    # MLflow's defaults retry an unreachable server for about four minutes per request, in silence;
    # pdbench keeps every record in the run folder, so it gives up sooner and says so.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")


def _send(client, event: dict, run_id: str | None, experiment: str, parent_run_id: str | None, run_dir: Path) -> str:
    kind = event["kind"]
    if kind == "start":
        return _create_run(client, event, experiment, parent_run_id)
    if kind == "metrics":
        now = int(time.time() * 1000)
        metrics = [Metric(mlflow_metric_name(k), float(v), now, int(step)) for k, v, step in event["points"]]
        for start in range(0, len(metrics), BATCH):
            client.log_batch(run_id, metrics=metrics[start:start + BATCH])
    elif kind == "tags":
        client.log_batch(run_id, tags=[RunTag(k, str(v)) for k, v in event["tags"].items()])
    elif kind == "artifacts":
        for folder, relative in event["paths"].items():
            path = run_dir / relative
            if path.is_dir():
                client.log_artifacts(run_id, str(path), artifact_path=folder or None)
            elif path.exists():
                client.log_artifact(run_id, str(path), artifact_path=folder or None)
    elif kind == "status":
        if event["status"] == "RUNNING":
            client.update_run(run_id, status="RUNNING")
        else:
            client.set_terminated(run_id, status=event["status"])
    else:
        raise ValueError(f"unknown tracking event {kind!r}")
    return run_id


def _create_run(client, event: dict, experiment: str, parent_run_id: str | None) -> str:
    tags = dict(event["tags"])
    outer = os.environ.get("MLFLOW_RUN_ID")
    if outer and parent_run_id is None:
        run_id = outer  # under `mlflow run` the run (and its experiment) already exist: log into that one
        client.log_batch(run_id, tags=[RunTag("mlflow.runName", event["name"])])
    else:
        if parent_run_id:
            tags["mlflow.parentRunId"] = parent_run_id
        found = client.get_experiment_by_name(experiment)
        experiment_id = found.experiment_id if found else client.create_experiment(experiment)
        run_id = client.create_run(experiment_id, run_name=event["name"]).info.run_id
    # Under `mlflow run` the entry point's parameters are logged already, possibly spelled otherwise
    # (".3" for 0.3): a param cannot change its value, so those keep MLflow's spelling.
    logged = client.get_run(run_id).data.params
    params = [Param(k, _param(v)) for k, v in event["params"].items() if k not in logged]
    for start in range(0, len(params), 100):
        client.log_batch(run_id, params=params[start:start + 100])
    client.log_batch(run_id, tags=[RunTag(k, str(v)) for k, v in tags.items()])
    return run_id


def _param(value) -> str:
    return str(value)[:6000]  # MLflow's param value limit


def start_parent_run(run_name: str, params: Mapping, tags: Mapping[str, str], experiment: str = EXPERIMENT,
                     run_id: str | None = None) -> str:
    """Create (or reopen, given ``run_id``) a sweep's parent run; returns its id. The run is left open-ended."""
    _fail_fast()
    if run_id is None:
        mlflow.set_experiment(experiment)
    with mlflow.start_run(run_id=run_id, run_name=None if run_id else run_name) as run:
        if run_id is None:
            mlflow.log_params({k: _param(v) for k, v in flatten(params).items() if v is not None})
            mlflow.set_tags({**tags, "pdbench.kind": "sweep", "git_sha": git_sha()})
        return run.info.run_id


def log_parent_artifacts(run_id: str, paths: list[Path]) -> None:
    """Attach leaderboard files to a sweep's parent run."""
    with mlflow.start_run(run_id=run_id):
        for path in paths:
            mlflow.log_artifact(str(path), artifact_path="leaderboard")


def search_cell_runs(experiment: str = EXPERIMENT, parent_run_id: str | None = None):
    """Finished single-cell runs (not sweep parents) of an experiment as a pandas DataFrame, with metric
    columns under pdbench's keys (``metrics.aw`` ...) whichever name the run logged them under."""
    _fail_fast()
    filters = ["tags.strategy != ''", "attributes.status = 'FINISHED'"]
    if parent_run_id:
        filters.append(f"tags.mlflow.parentRunId = '{parent_run_id}'")
    try:
        runs = mlflow.search_runs(experiment_names=[experiment], filter_string=" and ".join(filters),
                                  output_format="pandas")
    except MlflowException as error:  # the server answered, then failed: one line, not MLflow's traceback
        raise TrackingUnavailableError(f"MLflow at {tracking_uri()} failed to list the runs of experiment "
                                       f"{experiment!r}: {str(error).splitlines()[0][:300]}") from None
    return _short_metric_columns(runs)


def _short_metric_columns(runs):
    """Merge each ``metrics.<MLflow name>`` column into ``metrics.<pdbench key>``."""
    for column in [c for c in runs.columns if c.startswith("metrics.")]:
        short = _short_key(column.removeprefix("metrics."))
        if short is None:
            continue
        values, target = runs.pop(column), f"metrics.{short}"
        runs[target] = runs[target].fillna(values) if target in runs else values
    return runs


def _short_key(name: str) -> str | None:
    """The pdbench key of an MLflow metric name, or None when the two are the same."""
    for short, long in METRIC_NAMES.items():
        if name == long:
            return short
    for old, new in METRIC_PREFIXES.items():
        if name.startswith(new):
            return old + name.removeprefix(new)
    return None

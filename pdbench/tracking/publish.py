"""Sending a run's record (``pdbench.tracking.journal``) to MLflow: live while the run goes, or afterwards
(``pdbench sync``, and sweeps, whose cells are sent by the parent process as they finish).

The tracking store is asked once when a run starts; when it does not answer, or stops answering
mid-run, the run says so once and goes on: its record stays in the run folder and
``pdbench sync RUN_DIR`` sends what the store has not received.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from pdbench.infra.fileio import write_json
from pdbench.tracking.journal import Journal

SYNCED = "synced.json"
"""Written into a run folder once it is uploaded: the MLflow run it became (so it is never uploaded twice)."""


class LiveTracking:
    """Sends a run's record to MLflow each time it grows (pass ``publish`` to ``run_pipeline``)."""

    def __init__(self, experiment: str, echo: Callable[[str], None] = click.echo):
        from pdbench.tracking.store import tracking_uri, unreachable_reason

        self.experiment, self.echo, self.uri = experiment, echo, tracking_uri()
        self.run_id: str | None = None
        self.failure = unreachable_reason()
        if self.failure:
            self.echo(f"MLflow at {self.uri} is unreachable ({self.failure}); the run goes on and keeps its record "
                      "in its folder (upload it later with `pdbench sync RUN_DIR`).")

    def publish(self, journal: Journal) -> None:
        """Send what the store has not received; after a failure, stop trying and say so once."""
        from pdbench.tracking.store import send_pending

        if self.failure:
            return
        try:
            run_id = send_pending(journal, self.experiment)
        except Exception as error:  # a tracking failure must never cost the run
            self.failure = f"{type(error).__name__}: {error}"
            self.echo(f"MLflow at {self.uri} stopped answering ({self.failure}); the run goes on and keeps its "
                      f"record in {journal.run_dir}.")
            return
        if self.run_id is None:
            self.echo(f"MLflow run {run_id} (experiment '{self.experiment}' at {self.uri}) is live: `mlflow ui` shows "
                      f"the stages as they finish.\n  {ui_pages(run_id)}")
        self.run_id = run_id

    def close(self, run_dir: Path) -> None:
        """The last line about tracking: where the run is (the folder is then marked synced), or how to upload it."""
        if self.failure:
            self.echo(f"Not logged to MLflow; the results are safe in {run_dir}. Upload them later with: "
                      f"pdbench sync {run_dir}")
        else:
            mark_synced(run_dir, self.run_id, self.uri)
            self.echo(run_location(self.run_id, self.experiment))


def run_location(run_id: str, experiment: str) -> str:
    """Where an uploaded run is: its id, experiment and store, then ``ui_pages``."""
    from pdbench.tracking.store import tracking_uri

    return f"MLflow run {run_id} in experiment '{experiment}' at {tracking_uri()}\n  {ui_pages(run_id)}"


def ui_pages(run_id: str) -> str:
    """The MLflow UI's pages of a run and of its experiment's runs, and how to open them (MLflow 3 opens an
    experiment on a GenAI overview that does not list training runs)."""
    from pdbench.tracking.store import LOCAL_UI, store_id, tracking_uri, ui_links

    links = ui_links(run_id)
    if links is None:
        return "see it with: mlflow ui"
    run_page, runs_page = links
    if not run_page.startswith(LOCAL_UI):
        how = "in the MLflow UI"
    elif store_id() == f"sqlite:///{Path('mlflow.db').resolve()}":  # MLflow's default store, which `mlflow ui` reads
        how = "in `mlflow ui` started in this folder"
    else:
        how = f"in `mlflow ui --backend-store-uri {tracking_uri()}`"
    return f"{how}: {run_page}  (the experiment's runs: {runs_page})"


def track_run_dir(run_dir: Path, experiment: str, parent_run_id: str | None = None) -> str:
    """Send a finished run folder's record to MLflow (what the store lacks of it); returns the run id.

    Folders written before runs kept a record (the published ``docs/results-tiny/cells``, say) get
    one built from their ``result.json``.
    """
    from pdbench.results import RunResult
    from pdbench.tracking.record import config_tags, provenance_tags, result_events, run_params
    from pdbench.tracking.store import send_pending

    run_dir = Path(run_dir)
    result_file = run_dir / "result.json"
    if not result_file.exists():
        raise FileNotFoundError(f"{run_dir} holds no result.json: the run did not finish (re-run it to resume)")
    journal = Journal(run_dir)
    if not journal.events():
        result = RunResult.read(result_file)
        journal.begin(run_dir.name, run_params(result.config),
                      {**config_tags(result.config, result.gpu_hours.device), **provenance_tags()})
        for event in result_events(result):
            journal.append(event)
    return send_pending(journal, experiment, parent_run_id)


def synced_run_id(run_dir: Path) -> str | None:
    """The MLflow run id this folder was uploaded as, or None."""
    marker = Path(run_dir) / SYNCED
    return json.loads(marker.read_text())["run_id"] if marker.exists() else None


def mark_synced(run_dir: Path, run_id: str, tracking_uri: str) -> None:
    """Record the upload, so the folder is not uploaded again."""
    write_json(Path(run_dir) / SYNCED, {"run_id": run_id, "tracking_uri": tracking_uri})

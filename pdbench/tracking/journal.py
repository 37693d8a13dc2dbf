"""A run's MLflow record, kept in its run folder before anything is sent: ``RUN_DIR/mlflow/``.

Everything a run logs — params and tags when it starts, each stage's time, the training curves,
the final metrics, artifacts and status — is appended to ``events.jsonl`` first and sent to the
tracking server from there (``pdbench.tracking.store.send_pending``). ``sent.json`` remembers, per
tracking store and experiment, the MLflow run and how many events it holds, so a server that was
unreachable gets the rest from ``pdbench sync RUN_DIR`` and a server that has everything gets
nothing twice.
"""

from __future__ import annotations

import json
from pathlib import Path

from pdbench.infra.fileio import jsonl_lines, write_json

FOLDER = "mlflow"


class Journal:
    """The event log of one run folder."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.folder = self.run_dir / FOLDER
        self.events_file = self.folder / "events.jsonl"
        self.sent_file = self.folder / "sent.json"

    def begin(self, name: str, params: dict, tags: dict) -> None:
        """Open the record of an attempt: a new run, or the same one again when an unfinished attempt with
        the same params is resumed (its stages come from the cache; MLflow's run continues)."""
        events = self.events()
        params = json.loads(json.dumps(params))  # as read back (tuples become lists), so that they compare
        resumable = events and events[0]["params"] == params and not self.is_finished()
        if not resumable:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.events_file.write_text("")
            self.sent_file.unlink(missing_ok=True)
            self.append({"kind": "start", "name": name, "params": params, "tags": tags})
        self.append({"kind": "status", "status": "RUNNING"})

    def append(self, event: dict) -> None:
        """Add one event (``kind``: start, metrics, tags, artifacts or status). Metric points the record holds
        already (a resumed run logs a cached stage's training curve again) are left out, and so is an event
        left without points."""
        if event["kind"] == "metrics":
            logged = {tuple(point) for e in self.events() if e["kind"] == "metrics" for point in e["points"]}
            event = {**event, "points": [p for p in event["points"] if tuple(p) not in logged]}
            if not event["points"]:
                return
        with self.events_file.open("a") as out:
            out.write(json.dumps(event) + "\n")

    def events(self) -> list[dict]:
        """All events, oldest first."""
        if not self.events_file.exists():
            return []
        return [json.loads(line) for line in jsonl_lines(self.events_file.read_text()) if line]

    def is_finished(self) -> bool:
        """Whether the run's last status is FINISHED."""
        statuses = [e["status"] for e in self.events() if e["kind"] == "status"]
        return bool(statuses) and statuses[-1] == "FINISHED"

    def destination(self, store: str, experiment: str) -> dict:
        """``{"run_id": ..., "sent": n}`` for one tracking store (``tracking.store_id()``) and experiment;
        ``run_id`` None: no run created there yet."""
        return self._sent().get(_where(store, experiment), {"run_id": None, "sent": 0})

    def mark_sent(self, store: str, experiment: str, run_id: str, sent: int) -> None:
        """Record that the first ``sent`` events are in ``run_id`` in ``store``."""
        state = self._sent()
        state[_where(store, experiment)] = {"run_id": run_id, "sent": sent}
        write_json(self.sent_file, state)

    def _sent(self) -> dict:
        return json.loads(self.sent_file.read_text()) if self.sent_file.exists() else {}


def _where(store: str, experiment: str) -> str:
    return f"{store} | {experiment}"

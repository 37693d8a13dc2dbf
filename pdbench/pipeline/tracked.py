"""What goes to MLflow after the fact: uploading finished run and sweep folders (``pdbench sync``).

An unreachable tracking server never costs results: a folder that cannot be uploaded stays as it is,
and the message says how to upload it later (``pdbench sync``). A folder is claimed while it is uploaded
(``pdbench.pipeline.rundir.claim``), so two syncs at once, or a sync during the run, never upload it twice.
(What comes back from MLflow, the leaderboard, is ``pdbench.pipeline.report``'s.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from pdbench.pipeline.rundir import check_finished, claim
from pdbench.pipeline.sweep import is_sweep_dir, sync_sweep
from pdbench.tracking.publish import mark_synced, run_location, synced_run_id, track_run_dir
from pdbench.tracking.store import tracking_uri


def track_or_keep(run_dir: Path, experiment: str, echo: Callable[..., None] = click.echo) -> bool:
    """Send a finished run folder's record to MLflow and mark it synced; on failure say how to upload it later.
    Returns success."""
    try:
        run_id = track_run_dir(run_dir, experiment)
    except Exception as error:  # an unreachable server must not cost the results
        echo(f"could not log to MLflow at {tracking_uri()} ({type(error).__name__}: {error}).\n"
             f"The results are safe in {run_dir}; upload them later with: pdbench sync {run_dir}", err=True)
        return False
    mark_synced(run_dir, run_id, tracking_uri())
    echo(run_location(run_id, experiment))
    return True


def sync_folders(run_dirs: list[Path], experiment: str, echo: Callable[..., None] = click.echo) -> list[str]:
    """Upload finished run or sweep folders (a sweep: one parent run, a child per finished cell); a folder
    uploaded before is skipped. Returns the folders that could not be uploaded (each said why in one line)."""
    failed = []
    for run_dir in run_dirs:
        try:
            with claim(run_dir):
                if not _sync_folder(Path(run_dir), experiment, echo):
                    failed.append(str(run_dir))
        except Exception as error:  # one line per folder; the others are still uploaded
            echo(f"{run_dir}: {type(error).__name__}: {error}", err=True)
            failed.append(str(run_dir))
    return failed


def _sync_folder(run_dir: Path, experiment: str, echo: Callable[..., None]) -> bool:
    """Upload one claimed folder (a sweep: its parent run and cells); returns success."""
    if is_sweep_dir(run_dir):
        sync_sweep(run_dir, experiment)
        return True
    check_finished(run_dir)
    if synced_run_id(run_dir):
        echo(f"{run_dir}: already uploaded as MLflow run {synced_run_id(run_dir)} "
             f"(delete {run_dir / 'synced.json'} to upload it again)")
        return True
    return track_or_keep(run_dir, experiment, echo)

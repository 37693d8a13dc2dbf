"""A run folder's life: its default name, one process at a time, no stale result, uploaded once.

* The default name reads ``STRATEGY-cC-bB-sS-PRESET`` and gains a hash of the whole configuration
  when anything else (judge, policy, dataset, a --config file ...) differs from the preset, so runs
  that differ only there never share a folder.
* A process claims the folder for the whole run (and its upload): a second process of the same
  cell fails at once instead of writing the same files and uploading the other's numbers.
* A run removes the previous result before it writes its own config.json, so a failed run never
  leaves its new config beside an old result that ``pdbench sync`` would upload.
* ``synced.json`` records the MLflow run a folder was uploaded as, so ``sync`` never uploads it twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pdbench.tracking.publish import SYNCED

RESULT_FILES = ("result.json", "samples.json", SYNCED)
"""What a finished run leaves, removed when a new run starts in the folder."""
LOCK = ".pdbench.lock"


class RunDirBusyError(ValueError):
    """Another process is running in this run folder."""


def default_run_dir(config, root: Path = Path("runs")) -> Path:
    """``runs/STRATEGY-cC-bB-sS-PRESET``, plus ``-HASH`` of the configuration when it is not the preset's own."""
    from pdbench.infra.cache import content_key
    from pdbench.pipeline.config import resolve_config

    name = f"{cell_name(config.strategy, config.conflict, config.budget, config.seed)}-{config.preset}"
    plain = resolve_config(config.preset, strategy=config.strategy, conflict=config.conflict, budget=config.budget,
                           seed=config.seed)
    return root / (name if config == plain else f"{name}-{content_key(config.to_dict())[:8]}")


def cell_name(strategy: str, conflict: float, budget: float, seed: int) -> str:
    """A readable, unique name for a cell: its run folder (in a sweep) and MLflow run name."""
    return f"{strategy}-c{conflict:g}-b{budget:g}-s{seed}"


@contextmanager
def claim(run_dir: Path) -> Iterator[None]:
    """Hold the run folder for this process; raise RunDirBusyError if another process holds it.

    The lock is released by the OS when the holder dies, so a killed run never blocks the next. A folder this
    claim created is removed again, before the lock is released, when nothing but its lock file is left in it:
    a run that failed before it wrote anything leaves no folder behind.
    """
    run_dir = Path(run_dir)
    is_new = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RunDirBusyError(f"run folder {run_dir} is in use by another pdbench process (pid {holder}); "
                                  "wait for it, or give this run another --run-dir / --sweep-dir") from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            if is_new and [p.name for p in run_dir.iterdir()] == [LOCK]:
                (run_dir / LOCK).unlink()
                run_dir.rmdir()
            fcntl.flock(handle, fcntl.LOCK_UN)


def clear_results(run_dir: Path) -> None:
    """Remove a previous run's result files, so only a finished new run leaves a result."""
    for name in RESULT_FILES:
        (Path(run_dir) / name).unlink(missing_ok=True)


def check_finished(run_dir: Path) -> None:
    """Raise unless ``run_dir`` holds a result of the configuration beside it (what ``sync`` uploads)."""
    run_dir = Path(run_dir)
    result_file, config_file = run_dir / "result.json", run_dir / "config.json"
    if not result_file.exists():
        raise FileNotFoundError(f"{run_dir} holds no result.json: the run did not finish (re-run it to resume)")
    if config_file.exists() and json.loads(config_file.read_text())!= json.loads(result_file.read_text()).get("config"):
        raise ValueError(f"{result_file} is stale: it was written for another configuration than {config_file} "
                         "(a later run in this folder did not finish); re-run to finish it")

"""The content-addressed cache shared by every stage.

Root: ``$PDBENCH_CACHE_DIR`` if set, else ``~/.cache/pdbench`` — never inside the installed
package. A stage's key is the hash of everything that determines its output, so identical
inputs reuse the stored result and any change recomputes it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

ENV_CACHE_DIR = "PDBENCH_CACHE_DIR"


def cache_root() -> Path:
    """The cache's root folder (created on first use)."""
    root = Path(os.environ.get(ENV_CACHE_DIR) or Path.home() / ".cache" / "pdbench")
    root.mkdir(parents=True, exist_ok=True)
    return root


def content_key(*parts) -> str:
    """A short stable hash of JSON-serialisable parts (dicts are key-sorted)."""
    payload = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def frame_fingerprint(frame: pd.DataFrame, columns: list[str]) -> str:
    """A hash of the given columns' values, row order included."""
    hashed = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:20]


def remember(index: str, key: str, value: str) -> str | None:
    """Store ``value`` under ``key`` in the cache's small JSON file ``<root>/<index>.json``; return the value
    stored there before (None the first time). For messages only (why a stage was computed): two processes
    writing at once may lose one entry, which costs a message, never a result."""
    from pdbench.infra.fileio import write_json

    path = cache_root() / f"{index}.json"
    try:
        known = json.loads(path.read_text())
    except (OSError, ValueError):
        known = {}
    previous = known.get(key)
    if previous != value:
        write_json(path, {**known, key: value})
    return previous


def stage_dir(stage: str, key: str) -> Path:
    """The folder of one cached stage output: ``<root>/<stage>/<key>``."""
    return cache_root() / stage / key


@contextmanager
def stage_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on one stage output while checking for it and computing it.

    Parallel runs (``pdbench sweep --workers N``, or two shells) that need the same stage then
    compute it once: the second waits for the first and finds the finished output. The lock file
    sits beside the folder, so clearing a half-finished folder never removes it. Released by the
    OS if the holder dies.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

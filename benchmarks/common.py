"""What every benchmark shares: a throw-away stage cache, and printing its numbers (optionally as JSON)."""

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# pdbench reads this variable on every cache access, so setting it after importing pdbench works.
from pdbench.cache import ENV_CACHE_DIR


@contextmanager
def scratch_cache(folder: str | None = None) -> Iterator[Path]:
    """Point pdbench's stage cache at ``folder``, or at a fresh temporary folder deleted afterwards.

    A fresh cache makes a benchmark time the work, not cache hits; deleting it keeps repeated runs
    from filling the disk (one tiny cell leaves about 1.6 GB of converted and trained models).
    """
    previous = os.environ.get(ENV_CACHE_DIR)
    temporary = None if folder else tempfile.TemporaryDirectory(prefix="pdbench-bench-")
    os.environ[ENV_CACHE_DIR] = folder or temporary.name
    try:
        yield Path(os.environ[ENV_CACHE_DIR])
    finally:
        if previous is None:
            os.environ.pop(ENV_CACHE_DIR, None)
        else:
            os.environ[ENV_CACHE_DIR] = previous
        if temporary is not None:
            temporary.cleanup()


def report(summary: dict, json_path: str | None) -> None:
    """Print ``summary`` one line per figure, write it to ``json_path`` if given, and end with one JSON line."""
    for key, value in summary.items():
        print(f"{key:<30} {value}")
    if json_path:
        with open(json_path, "w") as handle:
            json.dump(summary, handle, indent=2)
    print(json.dumps(summary))

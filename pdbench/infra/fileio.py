"""Writing files so that an interruption never leaves a half-written one behind."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    # mkstemp makes the file private (0600); results are for other people and tools too, so give
    # it the permissions a plain open() would have.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    try:
        yield Path(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def write_text(path: Path, text: str) -> None:
    """Atomically write a text file."""
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")


def write_json(path: Path, data) -> None:
    """Atomically write pretty-printed JSON (numpy scalars become plain numbers)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False, default=_plain) + "\n")


def _plain(value):
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_with(path: Path, writer: Callable[[Path], None]) -> None:
    """Atomically write ``path`` with ``writer(temp_path)`` (e.g. a pandas or matplotlib writer)."""
    with atomic_path(path) as temp:
        writer(temp)

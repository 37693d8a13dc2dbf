"""What every benchmark shares: a throw-away stage cache, TRL's CPU path as it was, and printing numbers (or JSON)."""

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

# pdbench reads this variable on every cache access, so setting it after importing pdbench works.
from pdbench.infra.cache import ENV_CACHE_DIR


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


@contextmanager
def trl_alone(is_on: bool = True) -> Iterator[None]:
    """While on, pdbench trains as TRL does by itself on a CPU (before issue 14): every position through
    the LM head and micro-batches as drawn. (Pass ``use_ref_cache=False`` as well for the old reference pass.)"""
    with ExitStack() as stack:
        if is_on:
            stack.enter_context(mock.patch("pdbench.training.train.score_completions_only_on_cpu"))
            stack.enter_context(mock.patch("pdbench.training.train.regroup_by_length", lambda batches, pad_token_id: batches))
        yield


def report(summary: dict, json_path: str | None) -> None:
    """Print ``summary`` one line per figure, write it to ``json_path`` if given, and end with one JSON line."""
    for key, value in summary.items():
        print(f"{key:<30} {value}")
    if json_path:
        with open(json_path, "w") as handle:
            json.dump(summary, handle, indent=2)
    print(json.dumps(summary))

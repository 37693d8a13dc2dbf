"""The content-addressed cache shared by every stage.

Root: ``$PDBENCH_CACHE_DIR`` if set, else ``~/.cache/pdbench`` — never inside the installed
package. A stage's key is the hash of everything that determines its output, so identical
inputs reuse the stored result and any change recomputes it.
"""

from __future__ import annotations

import hashlib
import json
import os
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


def stage_dir(stage: str, key: str) -> Path:
    """The folder of one cached stage output: ``<root>/<stage>/<key>``."""
    return cache_root() / stage / key

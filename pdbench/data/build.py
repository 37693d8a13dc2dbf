"""``pdbench data build``: records -> aspect-labelled pairs, statistics and the breakdown plot."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pdbench.data.loading import load_records
from pdbench.data.pairs import build_pairs
from pdbench.data.stats import pair_stats, plot_conflict_breakdown, plot_pair_diagnostics
from pdbench.fileio import write_json, write_with

PAIRS_FILES = ("pairs.jsonl", "pairs.parquet")
"""The names a built dataset's pair table may have, in lookup order."""


def build_dataset(
    dataset: str,
    conflict: float | None,
    out: Path,
    seed: int = 0,
    fmt: str = "jsonl",
    aspect_weights: Mapping[str, float] | None = None,
    world_prompts: int = 1000,
) -> tuple[pd.DataFrame, dict]:
    """Load ``dataset``, build pairs at ``conflict`` and write pairs, stats.json and the plots to ``out``.

    Everything is computed before the first file is written, and every file is written
    atomically, so a failure leaves ``out`` as it was.
    """
    records = load_records(dataset, world_prompts=world_prompts)
    pairs, facts = build_pairs(records, conflict, seed=seed, aspect_weights=aspect_weights, source=dataset)
    stats = {"dataset": dataset, **facts, **pair_stats(pairs)}
    out = Path(out)
    write_pairs(pairs, out / f"pairs.{fmt}")
    write_json(out / "stats.json", stats)
    write_with(out / "conflict_breakdown.png", lambda p: plot_conflict_breakdown(stats, p, _title(dataset, stats)))
    if stats["gold"]:
        write_with(out / "pair_diagnostics.png", lambda p: plot_pair_diagnostics(stats["gold"], p))
    return pairs, stats


def write_pairs(pairs: pd.DataFrame, path: Path) -> None:
    """Write a pair table as JSONL or parquet (by suffix)."""
    if path.suffix == ".parquet":
        write_with(path, lambda p: pairs.to_parquet(p, index=False))
    elif path.suffix == ".jsonl":
        write_with(path, lambda p: pairs.to_json(p, orient="records", lines=True, force_ascii=False))
    else:
        raise ValueError(f"unsupported pair-table format {path.suffix!r}; use .jsonl or .parquet")


def read_pairs(path: Path) -> pd.DataFrame:
    """Read a pair table from a built dataset folder or a pairs.jsonl / pairs.parquet file."""
    path = Path(path)
    if path.is_dir():
        for name in PAIRS_FILES:
            if (path / name).exists():
                return read_pairs(path / name)
        raise FileNotFoundError(f"{path} holds no {' or '.join(PAIRS_FILES)}; build it with `pdbench data build`")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    with path.open(encoding="utf-8") as handle:
        return pd.DataFrame([json.loads(line) for line in handle if line.strip()])


def _title(dataset: str, stats: dict) -> str:
    return f"{Path(dataset).name}: conflict rate {stats['conflict_rate']:.1%} over {stats['n_pairs']} pairs"

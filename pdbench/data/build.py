"""``pdbench data build``: records -> aspect-labelled pairs, statistics and the breakdown plot."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pdbench.data.loading import load_records, read_jsonl, read_text
from pdbench.data.pairs import build_pairs
from pdbench.data.schema import DataError
from pdbench.data.stats import pair_stats, plot_conflict_breakdown, plot_pair_diagnostics
from pdbench.infra.fileio import write_json, write_with

PAIRS_FILES = ("pairs.jsonl", "pairs.parquet")
"""The names a built dataset's pair table may have; a folder holds one of them."""
PAIR_COLUMNS = ("prompt", "chosen", "rejected", "aspect", "is_conflict")
"""Columns every pair table has (what ``data stats`` and the strategies read)."""


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
    atomically, so a failure leaves ``out`` as it was. A pair table of the other format left by an
    earlier build is removed, so the folder never holds two different tables.
    """
    records = load_records(dataset, world_prompts=world_prompts)
    pairs, facts = build_pairs(records, conflict, seed=seed, aspect_weights=aspect_weights, source=dataset)
    stats = {"dataset": dataset, **facts, **pair_stats(pairs)}
    out = Path(out)
    write_pairs(pairs, out / f"pairs.{fmt}")
    for stale in set(PAIRS_FILES) - {f"pairs.{fmt}"}:
        (out / stale).unlink(missing_ok=True)
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
    """Read a pair table from a built dataset folder or a pairs.jsonl / pairs.parquet file.

    Raises DataError naming the file (and line) when it is not a readable, non-empty pair table.
    """
    path = Path(path)
    if path.is_dir():
        found = [name for name in PAIRS_FILES if (path / name).exists()]
        if len(found) > 1:
            raise DataError(str(path), None, None, f"holds both {' and '.join(found)}; remove the stale one "
                            "(or rebuild with `pdbench data build`, which keeps one)")
        if not found:
            raise DataError(str(path), None, None, f"holds no {' or '.join(PAIRS_FILES)}; build it with `pdbench data build`")
        return read_pairs(path / found[0])
    pairs = _read_parquet(path) if path.suffix == ".parquet" else _read_jsonl(path)
    if pairs.empty:
        raise DataError(str(path), None, None, "holds no pairs")
    missing = [c for c in PAIR_COLUMNS if c not in pairs]
    if missing:
        raise DataError(str(path), None, None, f"not a pair table from `pdbench data build`: no column(s) {', '.join(missing)}")
    return pairs


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a file that is not parquet
        raise DataError(str(path), None, None, f"not a readable parquet file ({type(error).__name__})") from None


def _read_jsonl(path: Path) -> pd.DataFrame:
    rows = read_jsonl(path, read_text(path))
    if any(not isinstance(row, dict) for row in rows):
        raise DataError(str(path), None, None, "expected one JSON object per line")
    return pd.DataFrame(rows)


def _title(dataset: str, stats: dict) -> str:
    return f"{Path(dataset).name}: conflict rate {stats['conflict_rate']:.1%} over {stats['n_pairs']} pairs"

"""``pdbench data build``: records -> aspect-labelled pairs, statistics and the breakdown plot."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from pdbench.data.loading import load_records, read_jsonl, read_text
from pdbench.data.pairs import build_pairs
from pdbench.data.schema import DataError
from pdbench.data.stats import pair_stats, plot_conflict_breakdown, plot_pair_diagnostics
from pdbench.infra.fileio import all_or_nothing, write_json

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

    Everything is computed before the first file is written, and the files are written beside their
    targets and put in place together only when all are complete, so a failure (a full disk halfway,
    say) leaves ``out`` as it was. A pair table of the other format left by an earlier build is then
    removed, so the folder never holds two different tables.
    """
    records = load_records(dataset, world_prompts=world_prompts)
    pairs, facts = build_pairs(records, conflict, seed=seed, aspect_weights=aspect_weights, source=dataset)
    stats = {"dataset": dataset, **facts, **pair_stats(pairs)}
    out = Path(out)
    with all_or_nothing() as write:
        write(out / f"pairs.{fmt}", lambda p: _write_table(pairs, p, fmt))
        write(out / "stats.json", lambda p: write_json(p, stats))
        write(out / "conflict_breakdown.png", lambda p: plot_conflict_breakdown(stats, p, _title(dataset, stats)))
        if stats["gold"]:
            write(out / "pair_diagnostics.png", lambda p: plot_pair_diagnostics(stats["gold"], p))
    for stale in set(PAIRS_FILES) - {f"pairs.{fmt}"}:
        (out / stale).unlink(missing_ok=True)
    return pairs, stats


def _write_table(pairs: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pairs.to_parquet(path, index=False)
    elif fmt == "jsonl":
        pairs.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        raise ValueError(f"unsupported pair-table format {fmt!r}; use jsonl or parquet")


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

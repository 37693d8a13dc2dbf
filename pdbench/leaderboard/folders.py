"""Leaderboard cells read from finished run folders (their ``result.json``), without MLflow.

A sweep that ran with ``--no-track`` (a GPU box that cannot reach the server) and the benchmark scripts that
re-derive the documented claims from committed cells read cells this way; the columns are those of
``table.runs_frame`` that the comparisons and the claim checks use.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pdbench.results import BEHAVIOUR, BEHAVIOUR_VS_SFT, RunResult


def folder_cells(folders) -> pd.DataFrame:
    """One row per finished cell in ``folders`` (each a folder of cell folders, or a cell folder itself):
    setup, strategy, conflict, budget, seed, aw, wr, lc, answer_chars (the policy's mean answer length in
    characters over the sets), precision (``RunResult.precision``), the cell's folder and, on the world, the
    ``behaviour.*`` / ``behaviour_vs_sft.*`` columns (``RunResult.behaviour_metrics``, named as in the MLflow
    runs frame). ``setup`` is the dataset when the cells come from several (world variants), else ``"all runs"``.
    Cells are in folder order, each folder's sorted by name."""
    rows = []
    for folder in map(Path, folders):
        files = [folder / "result.json"] if (folder / "result.json").exists() else sorted(folder.glob("*/result.json"))
        rows += [_row(RunResult.read(file), file.parent) for file in files]
    columns = ["setup", "strategy", "conflict", "budget", "seed", "aw", "wr", "lc", "answer_chars", "precision", "folder"]
    behaviour = list(dict.fromkeys(name for row in rows for name in row if name.startswith((BEHAVIOUR, BEHAVIOUR_VS_SFT))))
    cells = pd.DataFrame(rows, columns=columns + ["dataset"] + behaviour)
    cells["setup"] = cells["dataset"] if cells["dataset"].nunique() > 1 else "all runs"
    return cells[columns + behaviour]


def _row(result: RunResult, folder: Path) -> dict:
    config = result.config
    return {"dataset": config.get("dataset", "world"), "strategy": config["strategy"], "conflict": config["conflict"],
            "budget": config["budget"], "seed": config["seed"], "aw": result.pairwise.aw, "wr": result.wr,
            "lc": result.lc, "answer_chars": result.pairwise.answer_chars, "precision": result.precision,
            "folder": folder, **result.behaviour_metrics}

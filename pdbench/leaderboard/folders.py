"""Leaderboard cells read from finished run folders (their ``result.json``), without MLflow.

A sweep that ran with ``--no-track`` (a GPU box that cannot reach the server) and the benchmark scripts that
re-derive the documented claims from committed cells read cells this way; the columns are those of
``table.runs_frame`` that the comparisons and the claim checks use.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd


def folder_cells(folders) -> pd.DataFrame:
    """One row per finished cell in ``folders`` (each a folder of cell folders, or a cell folder itself):
    setup, strategy, conflict, budget, seed, aw, wr, lc, answer_chars (the policy's mean answer length in
    characters over the sets) and the cell's folder. ``setup`` is the dataset when the cells come from several
    (world variants), else ``"all runs"``. Cells are in folder order, each folder's sorted by name."""
    rows = []
    for folder in map(Path, folders):
        files = [folder / "result.json"] if (folder / "result.json").exists() else sorted(folder.glob("*/result.json"))
        rows += [_row(json.loads(file.read_text()), file.parent) for file in files]
    columns = ["setup", "strategy", "conflict", "budget", "seed", "aw", "wr", "lc", "answer_chars", "folder"]
    cells = pd.DataFrame(rows, columns=columns + ["dataset"])
    cells["setup"] = cells["dataset"] if cells["dataset"].nunique() > 1 else "all runs"
    return cells[columns]


def _row(result: dict, folder: Path) -> dict:
    config, pairwise = result["config"], result["pairwise"]
    alpaca = result.get("alpaca_eval") or {}
    return {"dataset": config.get("dataset", "world"), "strategy": config["strategy"], "conflict": config["conflict"],
            "budget": config["budget"], "seed": config["seed"], "aw": pairwise["aw"], "wr": alpaca.get("win_rate"),
            "lc": alpaca.get("length_controlled_winrate"),
            "answer_chars": np.mean([s["avg_length"] for s in pairwise["sets"].values()]), "folder": folder}

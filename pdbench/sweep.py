"""``pdbench sweep``: a grid of runs as one MLflow parent run with one child run per cell.

Shared stages (pairs and PD per conflict level and seed, the baseline, SFT generations) come
from the content-addressed cache, finished cells are skipped, and an interrupted sweep resumes
from its state file (``SWEEP_DIR/sweep.json``, which also remembers the parent run).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import click

from pdbench.fileio import write_json
from pdbench.presets import RunConfig
from pdbench.registry import discover


def sweep_cells(strategies: list[str], conflicts: list[float], budgets: list[float], seeds: list[int], paths=()) -> list[tuple]:
    """(strategy, conflict, budget, seed) cells; full-data and reference strategies ignore the budget, so they
    get one cell per (conflict, seed) at the first budget."""
    registry = discover(paths)
    cells = []
    for strategy in strategies:
        budgeted = registry[strategy].kind in ("selection", "ablation") if strategy in registry else True
        for conflict in conflicts:
            for budget in (budgets if budgeted else budgets[:1]):
                for seed in seeds:
                    cells.append((strategy, conflict, budget, seed))
    return cells


def cell_name(strategy: str, conflict: float, budget: float, seed: int) -> str:
    """A readable, unique name for a cell (its run folder and MLflow run name)."""
    return f"{strategy}-c{conflict:g}-b{budget:g}-s{seed}"


def run_sweep(base: RunConfig, cells: list[tuple], sweep_dir: Path, experiment: str, track: bool = True,
              strategy_paths=()) -> dict:
    """Run every unfinished cell; returns the sweep state (parent run id, finished cells)."""
    from pdbench.report import track_run_dir
    from pdbench.runner import run_pipeline

    sweep_dir = Path(sweep_dir)
    state_path = sweep_dir / "sweep.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {"parent_run_id": None, "done": {}}
    if track:
        from pdbench.tracking import start_parent_run

        state["parent_run_id"] = start_parent_run(sweep_dir.name, {"base": base.to_dict(), "cells": len(cells)},
                                                  {"preset": base.preset}, experiment, state["parent_run_id"])
        write_json(state_path, state)
    todo = [c for c in cells if cell_name(*c) not in state["done"]]
    click.echo(f"sweep: {len(cells)} cells, {len(cells) - len(todo)} already done, {len(todo)} to run")
    spent = []
    for index, (strategy, conflict, budget, seed) in enumerate(todo, start=1):
        name = cell_name(strategy, conflict, budget, seed)
        config = replace(base, strategy=strategy, conflict=conflict, budget=budget, seed=seed)
        started = time.perf_counter()
        result = run_pipeline(config, sweep_dir / name, strategy_paths=strategy_paths)
        run_id = track_run_dir(sweep_dir / name, experiment, state["parent_run_id"]) if track else "untracked"
        state["done"][name] = run_id
        write_json(state_path, state)
        spent.append(time.perf_counter() - started)
        left = (len(todo) - index) * sum(spent) / len(spent)
        click.echo(f"[{len(cells) - len(todo) + index}/{len(cells)}] {name}: AW {result['pairwise']['aw']:.3f}"
                   f" ({spent[-1]:.0f} s; about {left / 60:.1f} min left)")
    return state

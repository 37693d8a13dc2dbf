"""``pdbench sweep``: a grid of runs as one MLflow parent run with one child run per cell.

Shared stages (pairs and PD per conflict level and seed, the baseline, SFT generations) come
from the content-addressed cache, finished cells are skipped, and an interrupted sweep resumes
from its state file (``SWEEP_DIR/sweep.json``, which also remembers the parent run).

Cells can run in parallel worker processes (``--workers N``): one GPU trains several 135M
policies at once far faster than one after another. Stages are locked in the cache, so workers
that need the same one (the ``overall`` baseline of a seed, say) compute it once. Only this
process writes the state file and talks to MLflow. A sweep run without tracking (on a machine
that cannot reach the server) is uploaded later with ``pdbench sync SWEEP_DIR``.

With ``--engine ray`` the cells are Ray tasks instead (``pdbench.pipeline.ray_engine``, imported only then): each
asks Ray for its GPUs and CPUs, and Ray queues them over every node of a cluster, or of the Ray it starts on this
machine. Either engine hands back a small record per finished cell; this process does the rest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from pdbench.infra.fileio import write_json
from pdbench.selection.plan import is_budgeted
from pdbench.pipeline.config import RunConfig
from pdbench.selection.registry import discover
from pdbench.tracking.publish import track_run_dir
from pdbench.pipeline.engines import CellRecord, RayOptions, gpu_groups, pool_results, visible_gpus
from pdbench.pipeline.rundir import cell_name, claim

STATE_FILE = "sweep.json"
UNTRACKED = "untracked"
"""The run id recorded for a cell finished without tracking; ``sync_sweep`` replaces it."""


def sweep_cells(strategies: list[str], conflicts: list[float], budgets: list[float], seeds: list[int], paths=()) -> list[tuple]:
    """(strategy, conflict, budget, seed) cells; full-data and reference strategies ignore the budget, so they
    get one cell per (conflict, seed) at the first budget."""
    budgeted = {name: info.budgeted for name, info in discover(paths).items()}
    cells = []
    for strategy in strategies:
        for conflict in conflicts:
            for budget in (budgets if is_budgeted(strategy, budgeted) else budgets[:1]):
                for seed in seeds:
                    cells.append((strategy, conflict, budget, seed))
    return cells


def strategy_names(text: str, strategy_paths=()) -> list[str]:
    """``--strategies`` text as names: ``all`` alone is every registered strategy (said on stdout, since one
    strategy is also called ``all``); otherwise comma-separated names, empty ones dropped, so ``all,`` is
    the ``all`` strategy alone."""
    if text.strip() == "all":
        names = list(discover(strategy_paths))
        click.echo(f"--strategies all: every strategy ({', '.join(names)}); "
                   "for the `all` strategy alone write --strategies all,")
        return names
    return [name.strip() for name in text.split(",") if name.strip()]


def run_grid(base: RunConfig, strategies: str, conflicts: str, budgets: str, seeds: str, sweep_dir: Path,
             experiment: str | None, strategy_paths=(), workers: int = 1, ray: RayOptions | None = None) -> list[Path]:
    """``pdbench sweep``: the grid given as comma-separated text (``strategies`` may be ``all``), run cell by cell
    (on Ray when ``ray`` is given); when tracked (``experiment`` not None) the sweep's leaderboard is written to
    ``sweep_dir/leaderboard``, and untracked the strategies' paired comparisons from the cell folders (no MLflow
    needed). Returns those files."""
    names = strategy_names(strategies, strategy_paths)
    numbers = [[float(x) for x in text.split(",")] for text in (conflicts, budgets)]
    cells = sweep_cells(names, *numbers, [int(x) for x in seeds.split(",")], strategy_paths)
    state = run_sweep(base, cells, Path(sweep_dir), experiment or "pdbench", experiment is not None, strategy_paths,
                      workers, ray=ray)
    if not state["is_tracked"]:
        from pdbench.pipeline.report import comparisons_from_folders

        return comparisons_from_folders([sweep_dir], Path(sweep_dir) / "leaderboard")
    from pdbench.pipeline.report import leaderboard_from_mlflow  # imports mlflow: a --no-track sweep needs none

    return leaderboard_from_mlflow(experiment, state["parent_run_id"], Path(sweep_dir) / "leaderboard")


def _run_cell(config: RunConfig, run_dir: Path, strategy_paths: tuple) -> dict:
    """One cell: the whole pipeline (module-level, so spawned workers can run it)."""
    from pdbench.pipeline.runner import run_pipeline

    return run_pipeline(config, run_dir, strategy_paths=strategy_paths)


def run_sweep(base: RunConfig, cells: list[tuple], sweep_dir: Path, experiment: str, track: bool = True,
              strategy_paths=(), workers: int = 1, run_cell=_run_cell, ray: RayOptions | None = None) -> dict:
    """Run every unfinished cell (``workers`` at a time, or as Ray schedules them when ``ray`` is given); returns the
    sweep state (parent run id, finished cells).

    ``run_cell(config, run_dir, strategy_paths) -> result`` runs one cell (default: the whole pipeline); with
    workers or Ray it must be a module-level function, as it runs in other processes.
    """
    _check_cells(base, cells, strategy_paths)
    sweep_dir = Path(sweep_dir)
    with _engine(base, sweep_dir, workers, run_cell, ray) as (results, where):  # cells that cannot run: refused now
        with claim(sweep_dir):  # a second sweep in the same folder stops here
            return _run_sweep(base, cells, sweep_dir, experiment, track, strategy_paths, results, where)


Results = Callable[[list[tuple]], Iterator[tuple[tuple, CellRecord]]]
"""An engine: given (cell, job) pairs, yields (cell, record) as the cells finish (``cell_record``)."""


@contextmanager
def _engine(base: RunConfig, sweep_dir: Path, workers: int, run_cell, ray: RayOptions | None
            ) -> Iterator[tuple[Results, str]]:
    """Where the cells run, checked before any of them does: the local pool, or Ray. Yields the engine and the
    words that say where (for the progress line)."""
    if ray is not None:
        try:
            from pdbench.pipeline.ray_engine import ray_cells
        except ModuleNotFoundError as error:
            if error.name != "ray":
                raise
            raise ValueError("--engine ray needs Ray: pip install 'pdbench[ray]'") from None
        with ray_cells(ray, base.num_processes, workers, sweep_dir, run_cell) as (results, where):
            yield results, where
        return
    if workers > 1:
        gpu_groups(workers, base.num_processes, visible_gpus())  # too few GPUs for the workers: refused now

    def results(jobs: list[tuple]) -> Iterator[tuple[tuple, CellRecord]]:
        return pool_results(jobs, base.num_processes, workers, run_cell)

    yield results, f" on {workers} workers" if workers > 1 else ""


def _run_sweep(base, cells, sweep_dir, experiment, track, strategy_paths, results: Results, where: str) -> dict:
    state = _load_state(sweep_dir)
    if track:
        track = _open_parent_if_reachable(state, sweep_dir, {"base": base.to_dict(), "cells": len(cells)}, base.preset,
                                          experiment)
    todo = [c for c in cells if cell_name(*c) not in state["done"]]
    click.echo(f"sweep: {len(cells)} cells, {len(cells) - len(todo)} already done, {len(todo)} to run{where}")
    started, finished = time.perf_counter(), 0
    for (strategy, conflict, budget, seed), record in results(_jobs(base, todo, sweep_dir, strategy_paths)):
        name = cell_name(strategy, conflict, budget, seed)
        state["done"][name] = _track_cell(sweep_dir / name, experiment, state["parent_run_id"]) if track else UNTRACKED
        track = track and state["done"][name] != UNTRACKED
        write_json(sweep_dir / STATE_FILE, state)
        finished += 1
        left = (len(todo) - finished) * (time.perf_counter() - started) / finished
        click.echo(f"[{len(cells) - len(todo) + finished}/{len(cells)}] {name}: AW {record.aw:.3f}"
                   + (f" ({record.where})" if record.where else "") + f" (about {left / 60:.1f} min left)")
    if state["parent_run_id"] and not track:
        click.echo(f"Cells not logged to MLflow are kept in {sweep_dir}; upload them with: pdbench sync {sweep_dir}")
    return {**state, "is_tracked": track}


def _check_cells(base: RunConfig, cells: list[tuple], strategy_paths) -> None:
    """Every cell's strategy and configuration, and the dataset, before the first cell computes anything."""
    from pdbench.data.loading import check_dataset
    from pdbench.selection.registry import get_strategy

    check_dataset(base.dataset)
    for strategy in dict.fromkeys(cell[0] for cell in cells):
        get_strategy(strategy, strategy_paths)
    for strategy, conflict, budget, seed in cells:
        replace(base, strategy=strategy, conflict=conflict, budget=budget, seed=seed)  # a RunConfig checks itself


def sync_sweep(sweep_dir: Path, experiment: str) -> dict:
    """Upload a sweep folder's finished, not yet tracked cells as children of its (new or stored) parent run."""
    sweep_dir = Path(sweep_dir)
    state = _load_state(sweep_dir)
    cells = sorted(p for p in sweep_dir.iterdir() if (p / "result.json").exists())
    unfinished = sorted(p.name for p in sweep_dir.iterdir() if p.is_dir() and not (p / "result.json").exists())
    if unfinished:
        click.echo(f"skipping {len(unfinished)} unfinished cell(s): {', '.join(unfinished)}", err=True)
    first = json.loads((cells[0] / "result.json").read_text())["config"] if cells else {}
    _open_parent(state, sweep_dir, {"base": first, "cells": len(cells)}, first.get("preset", ""), experiment)
    for cell in cells:
        if state["done"].get(cell.name, UNTRACKED) == UNTRACKED:
            state["done"][cell.name] = track_run_dir(cell, experiment, state["parent_run_id"])
            write_json(sweep_dir / STATE_FILE, state)
    click.echo(f"synced {len(cells)} cells of {sweep_dir} under parent run {state['parent_run_id']}")
    return state


def is_sweep_dir(path: Path) -> bool:
    """Whether ``path`` is a sweep folder (it holds the sweep state file)."""
    return (Path(path) / STATE_FILE).exists()


def _load_state(sweep_dir: Path) -> dict:
    path = sweep_dir / STATE_FILE
    return json.loads(path.read_text()) if path.exists() else {"parent_run_id": None, "done": {}}


def _open_parent_if_reachable(state: dict, sweep_dir: Path, params: dict, preset: str, experiment: str) -> bool:
    """Open the parent run when the tracking store answers; otherwise say so and run untracked (``sync`` later)."""
    from pdbench.tracking.store import tracking_uri, unreachable_reason

    reason = unreachable_reason()
    if reason is None:
        try:
            _open_parent(state, sweep_dir, params, preset, experiment)
            return True
        except Exception as error:  # the store answered /health but failed: same fallback
            reason = f"{type(error).__name__}: {error}"
    click.echo(f"MLflow at {tracking_uri()} is unreachable ({reason}); the sweep runs without tracking. "
               f"Upload it later with: pdbench sync {sweep_dir}", err=True)
    return False


def _track_cell(cell_dir: Path, experiment: str, parent_run_id: str) -> str:
    """Send a finished cell to MLflow; on failure keep it for ``pdbench sync`` and return UNTRACKED."""
    try:
        return track_run_dir(cell_dir, experiment, parent_run_id)
    except Exception as error:  # a tracking failure must never cost the sweep
        click.echo(f"could not log {cell_dir.name} to MLflow ({type(error).__name__}: {error}); the sweep goes on "
                   "without tracking.", err=True)
        return UNTRACKED


def _open_parent(state: dict, sweep_dir: Path, params: dict, preset: str, experiment: str) -> None:
    from pdbench.tracking.store import start_parent_run

    state["parent_run_id"] = start_parent_run(sweep_dir.name, params, {"preset": preset}, experiment,
                                              state["parent_run_id"])
    write_json(sweep_dir / STATE_FILE, state)


def _jobs(base: RunConfig, cells: list[tuple], sweep_dir: Path, strategy_paths) -> list[tuple]:
    """(cell, (config, run_dir, strategy_paths)) for each cell: ``run_cell``'s arguments, the folder absolute (a Ray
    worker may start elsewhere)."""
    sweep_dir = Path(sweep_dir).absolute()
    return [((s, c, b, n), (replace(base, strategy=s, conflict=c, budget=b, seed=n), sweep_dir / cell_name(s, c, b, n),
                            tuple(strategy_paths)))
            for s, c, b, n in cells]

"""The smoke grid's wall time through Ray and through the local pool on the same machine, and Ray's overhead per cell.

    python benchmarks/sweep_engines.py [--strategies rand,ours,all] [--conflicts 0.2,0.3] [--preset smoke]
                                       [--workers 2] [--rounds 1] [--noop 4,200] [--json out.json]

Both engines run the same `pdbench sweep` (``run_sweep``, untracked: tracking is the driver's, the same for both) with
``--workers N``: the pool as N spawned worker processes, Ray as a local Ray started by the sweep itself (``pdbench
sweep --engine ray``, no address), each CPU cell asking for the cores / N. Each run gets a fresh cache (the converted
SmolLM2 linked in, as every run has it), so nothing is reused between runs, and the engines alternate (pool, Ray,
then Ray, pool ...) so that a machine whose load drifts favours neither. The 1-minute load average is printed
before and after each run: the machine is shared.

Overhead, measured apart on cells that do nothing (``_noop_cell``): each engine's wall time for two numbers of
cells (``--noop 4,200``); the difference over the extra cells is its cost per cell, the rest its fixed cost (pool:
spawning workers; Ray: starting Ray, checking the nodes and folders, starting its workers, stopping it).
The last line is JSON.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache  # noqa: E402


def _noop_cell(config, run_dir, strategy_paths=()) -> dict:
    """A sweep cell that does nothing: what is left of its wall time is the engine's."""
    return {"pairwise": {"aw": 1.0}}


def load() -> float:
    """The machine's 1-minute load average (uptime's first figure)."""
    return round(os.getloadavg()[0], 2)


def timed_sweep(engine: str, cells: list[tuple], base, workers: int, run_cell=None) -> dict:
    """One untracked sweep of ``cells`` through ``engine`` in a fresh sweep folder; its wall time and the load."""
    from pdbench.pipeline.sweep import RayOptions, run_sweep

    before = load()
    with tempfile.TemporaryDirectory(prefix="pdbench-sweep-") as folder:
        started = time.perf_counter()
        run_sweep(base, cells, Path(folder) / "sweep", "unused", track=False, workers=workers,
                  ray=RayOptions() if engine == "ray" else None, **({"run_cell": run_cell} if run_cell else {}))
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "load_before": before, "load_after": load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="rand,ours,all")
    parser.add_argument("--conflicts", default="0.2,0.3")
    parser.add_argument("--budgets", default="0.3")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--preset", default="smoke")
    parser.add_argument("--config", help="YAML file of RunConfig fields")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="grid runs per engine, alternating which goes first (0 = the overhead alone)")
    parser.add_argument("--noop", default="4,200", help="numbers of do-nothing cells for the overhead (two; 0 = skip)")
    parser.add_argument("--json")
    args = parser.parse_args()

    from pdbench.infra.models import resolve_model_path
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.sweep import strategy_names, sweep_cells

    base = resolve_config(args.preset, args.config)
    numbers = [[float(x) for x in text.split(",")] for text in (args.conflicts, args.budgets)]
    cells = sweep_cells(strategy_names(args.strategies), *numbers, [int(x) for x in args.seeds.split(",")])
    summary = {"cells": len(cells), "workers": args.workers, "cpus": os.cpu_count(), "load_at_start": load()}

    few, many = (int(x) for x in args.noop.split(","))
    if many:
        noop = {}
        for engine in ("pool", "ray", "ray", "pool"):  # ABBA: drifting load favours neither
            for count in (few, many):
                with scratch_cache():
                    run = timed_sweep(engine, [("rand", 0.3, 0.3, seed) for seed in range(count)], base, args.workers,
                                      _noop_cell)
                noop.setdefault((engine, count), []).append(run["seconds"])
        for engine in ("pool", "ray"):
            small, large = (min(noop[(engine, count)]) for count in (few, many))
            per_cell = (large - small) / (many - few)
            summary[f"{engine}_noop_per_cell_s"] = round(per_cell, 3)
            summary[f"{engine}_noop_fixed_s"] = round(small - few * per_cell, 1)
        summary["ray_overhead_per_cell_s (noop)"] = round(summary["ray_noop_per_cell_s"] - summary["pool_noop_per_cell_s"], 3)
        summary["ray_extra_fixed_s (noop)"] = round(summary["ray_noop_fixed_s"] - summary["pool_noop_fixed_s"], 1)

    model = resolve_model_path(base.policy) if base.policy == "smollm2-135m-instruct" else None
    grid = {"pool": [], "ray": []}
    for round_ in range(args.rounds):
        for engine in (("pool", "ray") if round_ % 2 == 0 else ("ray", "pool")):
            with scratch_cache() as cache:
                if model:  # every run has the converted policy already; the rest is computed
                    (cache / "models").mkdir(parents=True)
                    os.symlink(model, cache / "models" / base.policy)
                run = timed_sweep(engine, cells, base, args.workers)
            print(f"round {round_ + 1} {engine:<4}: {run['seconds']:.1f} s  (load {run['load_before']} -> "
                  f"{run['load_after']})", flush=True)
            grid[engine].append(run)
    if not args.rounds:
        return report(summary, args.json)
    for engine in ("pool", "ray"):
        walls = [run["seconds"] for run in grid[engine]]
        summary[f"{engine}_grid_s"] = walls
        summary[f"{engine}_grid_mean_s"] = round(sum(walls) / len(walls), 1)
        summary[f"{engine}_grid_loads"] = [(run["load_before"], run["load_after"]) for run in grid[engine]]
    difference = summary["ray_grid_mean_s"] - summary["pool_grid_mean_s"]
    summary["ray_minus_pool_s"] = round(difference, 1)
    summary["ray_minus_pool_per_cell_s"] = round(difference / len(cells), 1)
    summary["load_at_end"] = load()
    report(summary, args.json)


if __name__ == "__main__":
    main()

"""Where a sweep's cells run, the part its engines share: the local process pool (``pool_results``), the devices a
worker takes (``gpu_groups``, ``use_devices``), the small record a finished cell hands back (``cell_record``), and
``RayOptions`` for the Ray engine (``pdbench.pipeline.ray_engine``, which imports this module, never ``sweep``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context

from pdbench.results import RunResult


@dataclass(frozen=True)
class RayOptions:
    """``pdbench sweep --engine ray``: which Ray, and what each cell asks of it (``pdbench.pipeline.ray_engine``)."""

    address: str | None = None
    """``auto`` (the cluster this machine is a node of), ``ray://HOST:PORT`` (Ray Client) or ``HOST:PORT``; None: the
    Ray running on this machine, else a local one started for the sweep (and stopped after it)."""
    gpus_per_cell: float | None = None
    """GPUs per cell: its ``num_processes`` (one per training process) or, for one-process cells, a fraction of one
    GPU (e.g. 0.25: four cells per GPU); 0 = CPU only. None: ``num_processes`` where the cluster has GPUs, else 0."""
    cpus_per_cell: float | None = None
    """CPU cores per cell (also its OMP / torch threads). None: 1 beside GPUs; on CPUs a node's cores / ``--workers``
    (N cells per node, as the local pool shares one machine), at least one per training process."""
    max_retries: int = 3
    """Times Ray retries a cell whose worker process or node died; the retry resumes from the cached stages."""

    def __post_init__(self):
        if self.max_retries < 0:
            raise ValueError(f"--max-retries must be >= 0, got {self.max_retries}")
        for name, value in (("--gpus-per-cell", self.gpus_per_cell), ("--cpus-per-cell", self.cpus_per_cell)):
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0, got {value:g}")


@dataclass(frozen=True)
class CellRecord:
    """What comes back to the sweep from a finished cell (the rest is in its run folder)."""

    aw: float
    """The cell's average win score against its baseline."""
    where: str = ""
    """Where it ran (a Ray node and worker process; empty in the local pool)."""


def cell_record(result: RunResult, where: str = "") -> CellRecord:
    """The record of a finished cell from its run result."""
    return CellRecord(result.pairwise.aw, where)


def pool_results(jobs: list[tuple], processes: int, workers: int, run_cell) -> Iterator[tuple[tuple, CellRecord]]:
    """Yield (cell, record) as cells finish: in order in this process, or as they come from worker processes."""
    if workers <= 1:
        for cell, job in jobs:
            yield cell, cell_record(run_cell(*job))
        return
    # spawn, not fork: CUDA and torch's thread pools do not survive a fork.
    context = get_context("spawn")
    groups = context.Queue()
    for group in gpu_groups(workers, processes, visible_gpus()):
        groups.put(group)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_share_devices,
                             initargs=(workers, groups)) as pool:
        futures = {pool.submit(run_cell, *job): cell for cell, job in jobs}
        for future in as_completed(futures):
            yield futures[future], cell_record(future.result())


def gpu_groups(workers: int, processes: int, gpus: list[str]) -> list[str | None]:
    """The GPUs (``CUDA_VISIBLE_DEVICES`` values) of each worker: its own ``processes`` GPUs when there are enough;
    one-process cells spread round-robin when there are not (small policies share a GPU well); no GPUs: None each.
    Cells of several processes that cannot each have their own GPUs are refused before anything runs."""
    if not gpus:
        return [None] * workers
    if workers * processes <= len(gpus):
        return [",".join(gpus[i * processes:(i + 1) * processes]) for i in range(workers)]
    if processes == 1:
        return [gpus[i % len(gpus)] for i in range(workers)]
    raise ValueError(f"--workers {workers} x {processes} training processes per cell needs {workers * processes} GPUs; "
                     f"{len(gpus)} visible: lower --workers to {max(1, len(gpus) // processes)}")


def visible_gpus() -> list[str]:
    """The GPUs this process may use, as ``CUDA_VISIBLE_DEVICES`` names them."""
    import torch

    count = torch.cuda.device_count()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return visible.split(",")[:count] if visible else [str(i) for i in range(count)]


def _share_devices(workers: int, groups) -> None:
    """A pool worker's start: its GPUs from the queue, its share of the CPU cores."""
    use_devices(groups.get(), max(1, (os.cpu_count() or 1) // workers))


def use_devices(gpus: str | None, threads: int) -> None:
    """Give this worker process its GPUs (``CUDA_VISIBLE_DEVICES``; None: leave it as it is; "": none) and threads:
    its training children, servers and accelerate launches inherit them (each launch takes its own free port), and
    N workers do not run N x cores threads."""
    import torch

    if gpus is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus
    os.environ["OMP_NUM_THREADS"] = str(threads)  # inherited by the training child process
    torch.set_num_threads(threads)

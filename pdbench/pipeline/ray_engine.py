"""``pdbench sweep --engine ray``: a sweep's cells as Ray tasks, on a laptop or over every GPU of a cluster.

Each cell is one Ray task that asks for its resources (``cell_resources``): its training processes' GPUs (or a
fraction of one GPU for a one-process cell) and some CPUs. Ray queues the tasks over every node that fits and sets
each task's ``CUDA_VISIBLE_DEVICES`` to the GPUs it got, which the cell's training children, servers and
``accelerate launch`` (a free rendezvous port each) inherit. A cell whose worker process or node dies is retried
(``max_retries``) and resumes from the stages it had cached; a cell that raises is not retried (it would fail again).

Before anything runs, ``ray_cells`` checks that every cell can ever be scheduled (one clear error instead of a
task PENDING for ever) and that every node that can run a cell sees the sweep folder and the cache at the driver's
paths, with stage locks that hold between nodes (``check_shared_folders``). Cells share stages through that
cache; the driver (this process) keeps the sweep's state and tracks each finished cell from its run folder.

This module imports ``ray``: ``pdbench.pipeline.sweep`` imports it only when a sweep asks for Ray.
"""

from __future__ import annotations

import fcntl
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from pdbench.infra.cache import ENV_CACHE_DIR, cache_root
from pdbench.pipeline.rundir import cell_name
from pdbench.pipeline.engines import CellRecord, RayOptions, cell_record, use_devices

FORWARDED_ENV = (ENV_CACHE_DIR, "PDBENCH_EVAL_DIR", "PDBENCH_STRATEGY_PATH", "PDBENCH_VLLM")
"""The driver's settings that every cell's worker gets (the cache always, as the driver resolves it); never a key."""
PROBE_TIMEOUT_S = 300.0
"""How long the shared-folder check waits for a node's probe (a node's first worker may take a while to start)."""


class UnschedulableError(ValueError):
    """What a cell asks for exists on no node of the Ray cluster."""


class SharedFolderError(ValueError):
    """A node that can run cells does not share the sweep folder or the cache with the driver, or its locks."""


@dataclass(frozen=True)
class Node:
    """One alive node of the Ray cluster, as the scheduler sees it."""

    node_id: str
    address: str
    cpus: float
    gpus: float


@dataclass(frozen=True)
class CellResources:
    """What one cell asks Ray for."""

    cpus: float
    gpus: float

    @property
    def threads(self) -> int:
        """OMP / torch threads of the cell: its whole CPUs, at least one."""
        return max(1, int(self.cpus))

    def fits(self, node: Node) -> bool:
        return node.cpus >= self.cpus and node.gpus >= self.gpus

    def at_once(self, node: Node) -> int:
        """How many such cells the node runs at once."""
        counts = [int(node.cpus // self.cpus) if self.cpus else None, int(node.gpus // self.gpus) if self.gpus else None]
        known = [c for c in counts if c is not None]
        return min(known) if known else 0

    def __str__(self) -> str:
        gpus = f"{self.gpus:g} GPU" + ("s" if self.gpus > 1 else "") if self.gpus else "no GPU"
        return f"{self.cpus:g} CPU{'s' if self.cpus != 1 else ''} and {gpus}"


def cluster_nodes() -> list[Node]:
    """The cluster's alive nodes."""
    return [Node(n["NodeID"], n.get("NodeManagerAddress", "?"), n["Resources"].get("CPU", 0.0),
                 n["Resources"].get("GPU", 0.0)) for n in ray.nodes() if n.get("Alive")]


def cell_resources(processes: int, nodes: list[Node], options: RayOptions, workers: int = 1) -> CellResources:
    """What each cell of ``processes`` training processes asks for (``RayOptions`` says the defaults)."""
    has_gpus = any(node.gpus for node in nodes)
    gpus = options.gpus_per_cell if options.gpus_per_cell is not None else float(processes) if has_gpus else 0.0
    if 0 < gpus < 1 and processes > 1:
        raise ValueError(f"--gpus-per-cell {gpus:g}: a cell of {processes} training processes needs {processes} whole "
                         "GPUs (one per process); fractions of a GPU are for one-process cells")
    if gpus >= 1 and gpus != processes:
        raise ValueError(f"--gpus-per-cell {gpus:g}: a cell of {processes} training process"
                         f"{'es' if processes > 1 else ''} uses {processes} GPU{'s' if processes > 1 else ''} (one per "
                         f"process; num_processes sets how many), or a fraction of one for one-process cells")
    if options.cpus_per_cell is not None:
        cpus = options.cpus_per_cell
    elif gpus:
        cpus = 1.0
    else:  # CPU cells share a node's cores as the local pool shares one machine's: N workers, cores / N each
        cores = max((node.cpus for node in nodes), default=1.0)
        cpus = float(max(processes, int(cores // max(1, workers))))
    return CellResources(cpus, gpus)


def check_schedulable(resources: CellResources, nodes: list[Node], total: dict) -> None:
    """Raise UnschedulableError, naming what is missing, when no node could ever run a cell."""
    if any(resources.fits(node) for node in nodes):
        return
    have = f"{total.get('CPU', 0):g} CPUs and {total.get('GPU', 0):g} GPUs on {len(nodes)} node{'s' if len(nodes) != 1 else ''}"
    if not nodes:
        missing = "the Ray cluster has no node alive"
    elif resources.gpus and not any(node.gpus for node in nodes):
        missing = (f"the Ray cluster has no GPU ({have}); run the cells on CPUs with --gpus-per-cell 0, or connect to "
                   "a cluster with GPUs (--ray-address)")
    elif resources.gpus > max(node.gpus for node in nodes):
        missing = (f"no node has {resources.gpus:g} GPUs (the most on one node: {max(n.gpus for n in nodes):g}; {have}); "
                   "a cell's processes run on one node: lower num_processes")
    elif resources.gpus:
        best = max((n for n in nodes if n.gpus >= resources.gpus), key=lambda n: n.cpus)
        missing = (f"no node with {resources.gpus:g} GPUs has {resources.cpus:g} CPUs (the most: {best.cpus:g}; {have}); "
                   "lower --cpus-per-cell")
    else:
        missing = f"no node has {resources.cpus:g} CPUs ({have}); lower --cpus-per-cell or --workers"
    raise UnschedulableError(f"each cell asks Ray for {resources}, and {missing}. Nothing was run.")


@contextmanager
def ray_cells(options: RayOptions, processes: int, workers: int, sweep_dir: Path, run_cell
              ) -> Iterator[tuple[object, str]]:
    """Connect to Ray (or start a local one), check that every cell can run there and that the nodes share the sweep
    folder and the cache, then yield the engine (``Results`` of ``pdbench.pipeline.sweep``) and where it runs.
    A Ray started here is stopped at the end."""
    is_started_here = not ray.is_initialized()
    if is_started_here:
        try:
            ray.init(address=options.address, include_dashboard=False, log_to_driver=True)
        except ConnectionError as error:  # no cluster at that address: one line
            raise ValueError(f"--ray-address {options.address}: {str(error).strip().splitlines()[0]}") from None
    try:
        nodes = cluster_nodes()
        resources = cell_resources(processes, nodes, options, workers)
        check_schedulable(resources, nodes, ray.cluster_resources())
        usable = [node for node in nodes if resources.fits(node)]
        env = forwarded_env()
        check_shared_folders([Path(sweep_dir), cache_root()], usable, env)

        def results(jobs: list[tuple]) -> Iterator[tuple[tuple, CellRecord]]:
            return _ray_results(jobs, run_cell, resources, options.max_retries, env)

        at_once = sum(resources.at_once(node) for node in usable)
        yield results, (f" on Ray ({len(nodes)} node{'s' if len(nodes) != 1 else ''}: "
                        f"{sum(n.cpus for n in nodes):g} CPUs, {sum(n.gpus for n in nodes):g} GPUs; each cell asks "
                        f"{resources}: up to {at_once} at once)")
    finally:
        if is_started_here:
            ray.shutdown()


def forwarded_env() -> dict[str, str]:
    """The environment every cell's worker gets from the driver: its cache (resolved, so that a node whose own
    default differs still uses the shared one) and the other pdbench settings it has."""
    env = {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}
    return {**env, ENV_CACHE_DIR: str(cache_root().absolute())}


def _ray_results(jobs: list[tuple], run_cell, resources: CellResources, max_retries: int, env: dict
                 ) -> Iterator[tuple[tuple, CellRecord]]:
    """Submit every cell, yield (cell, record) as they finish; on a failed cell (or Ctrl-C) cancel the rest."""
    task = _CELL_TASK.options(num_cpus=resources.cpus, num_gpus=resources.gpus, max_retries=max_retries,
                              retry_exceptions=False, runtime_env={"env_vars": env})
    pending = {task.remote(run_cell, job, resources.threads, bool(resources.gpus)): cell for cell, job in jobs}
    try:
        while pending:
            [done], _ = ray.wait(list(pending), num_returns=1)
            cell = pending.pop(done)
            yield cell, _record(done, cell, max_retries)
    finally:
        for ref in pending:  # a running cell gets KeyboardInterrupt, which stops its child processes
            ray.cancel(ref)


def _record(ref, cell: tuple, max_retries: int) -> CellRecord:
    """A finished cell's record; a failed cell as one error that names it."""
    name = cell_name(*cell)
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as error:  # the cell raised: not retried, the sweep stops as the pool's does
        cause = error.cause if isinstance(error.cause, Exception) else error
        if isinstance(cause, ValueError):
            raise ValueError(f"cell {name}: {cause}") from error
        raise RuntimeError(f"cell {name} failed: {type(cause).__name__}: {cause}") from error
    except ray.exceptions.RayError as error:  # its worker or node died max_retries + 1 times
        attempts = f"{max_retries + 1} attempt{'s' if max_retries else ''}"
        raise RuntimeError(f"cell {name}: its worker or node died in each of its {attempts} ({type(error).__name__}); "
                           "the sweep stopped. Finished cells and every cell's cached stages are kept: run the same "
                           "command again to resume") from error


def _run_cell_task(run_cell, job: tuple, threads: int, uses_gpus: bool) -> CellRecord:
    """One cell in a Ray worker: the GPUs Ray gave it (``CUDA_VISIBLE_DEVICES``, set by Ray; none for a CPU cell, even
    on a GPU node), its threads, then the cell; returns its record."""
    use_devices(None if uses_gpus else "", threads)
    result = run_cell(*job)
    gpus = os.environ.get("CUDA_VISIBLE_DEVICES") if uses_gpus else None
    where = f"{socket.gethostname()}, pid {os.getpid()}" + (f", GPU {gpus}" if gpus else "")
    return cell_record(result, where)


_CELL_TASK = ray.remote(_run_cell_task)


def check_shared_folders(folders: list[Path], nodes: list[Node], env: dict) -> None:
    """Every node that can run a cell must see ``folders`` (the sweep folder, the cache) at the driver's paths, and
    a stage lock this process holds there must block it: cells on different nodes then compute each shared stage
    once and read each other's. A node that sees other files, or whose locks are local only (an NFS mount with
    ``nolock`` or ``local_lock=flock``, say), fails the sweep here, before anything runs."""
    token = f".pdbench-ray-probe-{uuid.uuid4().hex}"
    lock_file = cache_root() / ".pdbench-ray-probe.lock"
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / token).write_text(socket.gethostname())
    try:
        with open(lock_file, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError as error:
                raise SharedFolderError(f"stage locks do not work in the cache {cache_root()} ({error}); pdbench "
                                        "needs flock there (an NFS mount with locking, say)") from None
            probes = [_PROBE.options(num_cpus=0, runtime_env={"env_vars": env},
                                     scheduling_strategy=NodeAffinitySchedulingStrategy(node.node_id, soft=False))
                      .remote([str(f) for f in folders], token, str(lock_file)) for node in nodes]
            try:
                reports = ray.get(probes, timeout=PROBE_TIMEOUT_S)
            except ray.exceptions.RayError as error:
                raise SharedFolderError(f"a node of the Ray cluster cannot run pdbench ({type(error).__name__}: "
                                        f"{str(error).strip().splitlines()[-1]}); install the same pdbench on every "
                                        "node") from None
    finally:
        for folder in folders:
            (folder / token).unlink(missing_ok=True)
    problems = shared_folder_problems(reports, lock_file)
    if problems:
        raise SharedFolderError("; ".join(problems) + ". Nothing was run.")


def shared_folder_problems(reports: list[dict], lock_file: Path) -> list[str]:
    """What the nodes' probe reports say is not shared (empty: all is well)."""
    from pdbench.tracking.record import git_sha

    problems, driver_sha = [], git_sha()
    for report in reports:
        node = report["node"]
        for folder in report["missing"]:
            problems.append(f"node {node} does not see {folder} as this machine does: the sweep folder and the cache "
                            f"({ENV_CACHE_DIR}) must be on a filesystem every node mounts at the same path")
        if report["lock"] == "acquired":
            problems.append(f"node {node} could take a lock this machine held on {lock_file}: locks on that "
                            "filesystem are not shared between nodes (mount NFS with locking: not nolock, not "
                            "local_lock=flock|all), so cells could compute one stage twice at once")
        elif report["lock"] != "blocked":
            problems.append(f"node {node} cannot lock {lock_file} ({report['lock']})")
        if "unknown" not in (report["git_sha"], driver_sha) and report["git_sha"] != driver_sha:
            problems.append(f"node {node} runs pdbench at commit {report['git_sha'][:10]}, this machine at "
                            f"{driver_sha[:10]}: install the same pdbench on every node")
    return problems


def _probe_node(folders: list[str], token: str, lock_file: str) -> dict:
    """On one node: does it see the driver's token in each folder, and is the lock the driver holds held here too."""
    from pdbench.tracking.record import git_sha

    missing = [folder for folder in folders if not (Path(folder) / token).exists()]
    try:
        with open(lock_file, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
            lock = "acquired"
    except BlockingIOError:
        lock = "blocked"
    except OSError as error:
        lock = f"{type(error).__name__}: {error}"
    return {"node": ray.util.get_node_ip_address(), "missing": missing, "lock": lock, "git_sha": git_sha()}


_PROBE = ray.remote(_probe_node)

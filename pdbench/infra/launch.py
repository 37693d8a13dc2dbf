"""Heavy work in child processes: one process, or N under ``accelerate launch`` (DDP / DeepSpeed / FSDP).

SFT, reward-model training and scoring, and DPO each run as ``python -m MODULE FOLDER`` in a child
whose inputs and outputs live in FOLDER, so the main process never holds a model while they train
(HF Trainer in a process that sees 8 GPUs would wrap them in DataParallel), and each stage's
device time is the child's wall-clock x the devices it was given. ``Launch`` says how: how many
processes, which accelerate config, which GPUs (a sweep worker gets its own), and every launch gets
a free rendezvous port, so concurrent launches on one machine never meet on accelerate's 29500. Children inherit
this process's environment, so a sweep worker's ``CUDA_VISIBLE_DEVICES`` and thread count reach them.
Children (and servers, ``pdbench.infra.server``) die with the process that started them (``spawn``):
a sweep worker that is killed leaves no training writing into a stage its retry recomputes.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from pdbench.infra.fileio import is_out_of_space, out_of_space, quoted


@dataclass(frozen=True)
class Launch:
    """How a stage's child processes are started (which GPUs: those this process sees)."""

    num_processes: int = 1
    """Processes (one per GPU; CPU processes on a machine without one)."""
    accelerate_config: str | None = None
    """Path of an accelerate config file (resolved by the caller); None = plain DDP when num_processes > 1."""
    precision: str = "fp32"
    """The arithmetic of every training stage, resolved: ``bf16`` (mixed, fp32 master weights) or ``fp32``."""

    def __post_init__(self):
        if self.num_processes < 1:
            raise ValueError(f"num_processes must be >= 1, got {self.num_processes}")
        if self.precision not in ("bf16", "fp32"):
            raise ValueError(f"precision must be resolved to bf16 or fp32, got {self.precision!r}")

    @property
    def is_distributed(self) -> bool:
        """Whether the child runs under ``accelerate launch`` (several processes, or DeepSpeed / FSDP on one)."""
        return self.num_processes > 1 or self.accelerate_config is not None

    def single(self) -> Launch:
        """The same devices, one plain process (scoring, generation in process)."""
        return replace(self, num_processes=1, accelerate_config=None)


def spawn(command: list[str], **options) -> subprocess.Popen:
    """``subprocess.Popen(command, **options)``, the child made to get SIGTERM when this process dies, even by
    SIGKILL (Linux's PR_SET_PDEATHSIG; elsewhere, macOS say, a killed parent's children run on).

    Linux sends that signal when the *thread* that forked the child ends, not the process: a server started
    lazily by a judge's request thread would be stopped as soon as that thread's pool finished one test set.
    So every child is forked by one thread that lives as long as this process (``_SPAWNER``).
    """
    if not sys.platform.startswith("linux"):
        return subprocess.Popen(command, **options)
    return _spawner().submit(subprocess.Popen, command, preexec_fn=_die_with_parent(), **options).result()


_SPAWNER: dict[int, ThreadPoolExecutor] = {}
"""Per process id, the one thread that forks children (``spawn``): it waits on its queue until the process ends.
Keyed by pid because a forked child inherits the executor but not its thread."""
_SPAWNER_LOCK = threading.Lock()


def _spawner() -> ThreadPoolExecutor:
    with _SPAWNER_LOCK:
        if os.getpid() not in _SPAWNER:
            _SPAWNER.clear()
            _SPAWNER[os.getpid()] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdbench-spawner")
        return _SPAWNER[os.getpid()]


def _die_with_parent():
    """The ``preexec_fn`` that asks Linux for SIGTERM when the forking thread (``_SPAWNER``'s) ends."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here, before the fork
    set_pdeathsig = 1  # PR_SET_PDEATHSIG

    def preexec() -> None:
        prctl(set_pdeathsig, signal.SIGTERM)

    return preexec


def free_port() -> int:
    """A TCP port that is free on this machine now (for a rendezvous or a server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_command(module: str, folder: Path, launch: Launch) -> list[str]:
    """The command that runs ``python -m module folder`` as ``launch`` says.

    The precision goes to ``accelerate launch`` as ``--mixed_precision``, so that the DeepSpeed config it
    builds agrees with the trainer's own setting (HF Trainer refuses a bf16 DeepSpeed config for an fp32 run).
    """
    if not launch.is_distributed:
        return [sys.executable, "-m", module, str(folder)]
    mixed = "bf16" if launch.precision == "bf16" else "no"
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(launch.num_processes),
               "--main_process_port", str(free_port()), "--mixed_precision", mixed]
    if launch.accelerate_config:
        command += ["--config_file", launch.accelerate_config]
    elif launch.num_processes > 1:
        command += ["--multi_gpu"]
    return command + ["-m", module, str(folder)]


def run_child(module: str, folder: Path, launch: Launch, what: str = "") -> float:
    """Run ``python -m module folder`` as ``launch`` says; returns the child's wall-clock seconds.

    The child's output (its ranks' progress bars, DeepSpeed's and torch.distributed's messages) goes to
    ``folder/log.txt``, named on stderr as it starts, so a long stage can be followed with ``tail -f``. A child that
    fails raises ChildFailedError: one line saying what failed and where its log is, then the log's first error (the
    failing rank's traceback, or its stacks when it died by a signal) and its last lines. Children run with
    Python's faulthandler on, so a rank killed by SIGABRT or SIGSEGV (a C++ assertion in gloo or DeepSpeed, say)
    leaves its Python stacks in the log instead of only torchrun's summary "Signal 6 received".
    """
    folder = Path(folder)
    log = folder / "log.txt"
    command = child_command(module, folder, launch)
    processes = f"{launch.num_processes} processes" if launch.num_processes > 1 else "1 process"
    print(f"  {what or module}: {processes}, log {log}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with open(log, "ab") as output:
        # environment inherited: a sweep worker's GPUs and threads
        code = run_interruptible(command, env={**os.environ, "PYTHONFAULTHANDLER": "1"}, output=output)
    if code == OUT_OF_SPACE_EXIT:
        raise out_of_space(folder)
    if code != 0:
        raise ChildFailedError(f"{what or module} failed (exit code {code}); {failure_excerpt(log)}")
    return time.perf_counter() - started


FIRST_ERROR = re.compile(r"Traceback \(most recent call last\)|Fatal Python error|terminate called|what\(\):"
                         r"|Segmentation fault|Bus error|double free|corrupted|malloc\(\)")
"""Lines that start a failure's own report: a Python traceback, faulthandler's stacks, a C++ abort, glibc's."""


def failure_excerpt(log: Path, first_lines: int = 20, last_lines: int = 25) -> str:
    """Where a failed child's log says why: its first error report and its last lines.

    Under ``accelerate launch`` the last lines are torchrun's summary ("rank 1 ... Signal 6"), and the failing
    rank's own report sits above the other ranks' noise; both are quoted, the first one cut at ``first_lines``.
    """
    try:
        lines = Path(log).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"no log at {log}"
    end = quoted(lines[-last_lines:])  # what fileio.tail would quote, from the lines already read
    start = next((i for i, line in enumerate(lines) if FIRST_ERROR.search(line)), None)
    if start is None or start >= len(lines) - last_lines:
        return f"the end of {log}:\n{end}"
    first = quoted(lines[start:min(start + first_lines, len(lines) - last_lines)])
    return f"its first error, line {start + 1} of {log}:\n{first}\n    ...\nand its end:\n{end}"


OUT_OF_SPACE_EXIT = 28
"""A child's exit code when a write failed for lack of space (ENOSPC's number): the parent says so in one line."""


def run_entry(main: Callable[[str], None], folder: str) -> int:
    """A child's ``main(folder)`` as its exit code: OUT_OF_SPACE_EXIT, with nothing printed, when the disk is full
    (the parent names the folder and the space left), 0 when it succeeds; any other error keeps its traceback."""
    try:
        main(folder)
        leave_together()
    except Exception as error:
        if is_out_of_space(error):
            return OUT_OF_SPACE_EXIT
        raise
    return 0


def leave_together() -> None:
    """Under ``accelerate launch``: wait for every rank, then destroy the process group, before this rank exits.

    Rank 0 saves (and writes its outcome) after the others are done; a rank that exits meanwhile tears down
    its end of gloo's or NCCL's connections under a peer still using them, and torch asks for
    ``destroy_process_group`` before exit. A no-op in a plain process.
    """
    if "torch" not in sys.modules:
        return
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


class ChildFailedError(ChildProcessError):
    """A stage's child process exited with an error (its log's last lines, its traceback among them, are quoted)."""


def run_interruptible(command: list[str], env: dict[str, str] | None = None, output=None) -> int:
    """Run a child to its end and return its exit code; on Ctrl-C stop it with SIGTERM and re-raise here,
    where it is one line. ``output``: an open file for the child's stdout and stderr (default: this process's).

    The child starts with SIGINT ignored (Python installs its KeyboardInterrupt handler only where
    SIGINT is not ignored), so the terminal's Ctrl-C does not print its 80-line traceback.
    """
    start = dict(env=env, stdout=output, stderr=output and subprocess.STDOUT)
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the child, restored at once here
        try:
            child = spawn(command, **start)
        finally:
            signal.signal(signal.SIGINT, previous)
    else:  # signal dispositions can only be changed on the main thread
        child = spawn(command, **start)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise


def rank() -> int:
    """This process's rank under ``accelerate launch`` (0 in a plain process)."""
    return int(os.environ.get("RANK", "0"))


def world_size() -> int:
    """The number of processes under ``accelerate launch`` (1 in a plain process)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_partitioned(model) -> bool:
    """Whether DeepSpeed ZeRO-3 partitioned ``model``'s parameters (each rank holds a shard) when it was created."""
    return any(hasattr(parameter, "ds_id") for parameter in model.parameters())

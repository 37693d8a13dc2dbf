"""Heavy work in child processes: one process, or N under ``accelerate launch`` (DDP / DeepSpeed / FSDP).

SFT, reward-model training and scoring, and DPO each run as ``python -m MODULE FOLDER`` in a child
whose inputs and outputs live in FOLDER, so the main process never holds a model while they train
(HF Trainer in a process that sees 8 GPUs would wrap them in DataParallel), and each stage's
device time is the child's wall-clock x the devices it was given. ``Launch`` says how: how many
processes, which accelerate config, which GPUs (a sweep worker gets its own), and every launch gets
a free rendezvous port, so concurrent launches on one machine never meet on accelerate's 29500.
Children (and servers, ``pdbench.infra.server``) die with the process that started them (``die_with_parent``):
a sweep worker that is killed leaves no training writing into a stage its retry recomputes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Launch:
    """How a stage's child processes are started."""

    num_processes: int = 1
    """Processes (one per GPU; CPU processes on a machine without one)."""
    accelerate_config: str | None = None
    """Path of an accelerate config file (resolved by the caller); None = plain DDP when num_processes > 1."""
    gpu_ids: tuple[int, ...] | None = None
    """The GPUs the child may use (``CUDA_VISIBLE_DEVICES``); None = whatever this process sees."""
    threads: int | None = None
    """OMP/torch threads per child process (a sweep worker's share of the CPU cores); None = the default."""
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


def die_with_parent():
    """A ``preexec_fn`` that makes the child get SIGTERM when the process that started it dies, even by SIGKILL
    (Linux's PR_SET_PDEATHSIG); None elsewhere (macOS has no such signal: a killed parent's children run on)."""
    if not sys.platform.startswith("linux"):
        return None
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


def child_env(launch: Launch) -> dict[str, str]:
    """The child's environment: its GPUs and thread count, everything else inherited."""
    env = dict(os.environ)
    if launch.gpu_ids is not None:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(map(str, launch.gpu_ids))
    if launch.threads:
        env["OMP_NUM_THREADS"] = str(launch.threads)
    return env


def run_child(module: str, folder: Path, launch: Launch, what: str = "") -> float:
    """Run ``python -m module folder`` as ``launch`` says; returns the child's wall-clock seconds.

    The child's output (its ranks' progress bars, DeepSpeed's and torch.distributed's messages) goes to
    ``folder/log.txt``, named on stderr as it starts, so a long stage can be followed with ``tail -f``. A child that
    fails raises ChildFailedError: one line saying what failed and where its log is, then the log's last lines.
    """
    from pdbench.infra.server import tail

    folder = Path(folder)
    log = folder / "log.txt"
    command = child_command(module, folder, launch)
    processes = f"{launch.num_processes} processes" if launch.num_processes > 1 else "1 process"
    print(f"  {what or module}: {processes}, log {log}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with open(log, "ab") as output:
        code = run_interruptible(command, child_env(launch), output)
    if code != 0:
        raise ChildFailedError(f"{what or module} failed (exit code {code}); the end of {log}:\n{tail(log, 25)}")
    return time.perf_counter() - started


class ChildFailedError(RuntimeError):
    """A stage's child process exited with an error (its own traceback was printed by the child)."""


def run_interruptible(command: list[str], env: dict[str, str] | None = None, output=None) -> int:
    """Run a child to its end and return its exit code; on Ctrl-C stop it with SIGTERM and re-raise here,
    where it is one line. ``output``: an open file for the child's stdout and stderr (default: this process's).

    The child starts with SIGINT ignored (Python installs its KeyboardInterrupt handler only where
    SIGINT is not ignored), so the terminal's Ctrl-C does not print its 80-line traceback.
    """
    start = dict(env=env, stdout=output, stderr=output and subprocess.STDOUT, preexec_fn=die_with_parent())
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the child, restored at once here
        try:
            child = subprocess.Popen(command, **start)
        finally:
            signal.signal(signal.SIGINT, previous)
    else:  # signal dispositions can only be changed on the main thread
        child = subprocess.Popen(command, **start)
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

"""Training in one process, or in N processes under ``accelerate launch`` (DDP / DeepSpeed / FSDP).

The runner hands the training stage to ``python -m pdbench.training.train_entry`` with its inputs in a
folder; with N > 1 processes that command runs under ``accelerate launch``, so only training is
distributed and the main process alone logs and writes results.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd

from pdbench.infra.fileio import named_if_out_of_space, out_of_space
from pdbench.training.config import TrainConfig
from pdbench.training.train import preference_dataset
from pdbench.training.train_entry import OUT_OF_SPACE_EXIT

CONFIG_DIR = Path(__file__).resolve().parent / "accelerate_configs"


class TrainingFailedError(ChildProcessError):
    """The training process failed; it printed its own error, and this is the one line that ends the run."""


def accelerate_config_path(name: str | None) -> str | None:
    """A shipped config (by file name, e.g. ``deepspeed_zero3.yaml``) or a path of your own."""
    if name is None:
        return None
    shipped = CONFIG_DIR / name
    if shipped.is_file():
        return str(shipped)
    if Path(name).is_file():
        return name
    known = ", ".join(sorted(p.name for p in CONFIG_DIR.glob("*.yaml")))
    raise FileNotFoundError(f"accelerate config {name!r} not found; shipped configs: {known}")


def run_training(
    model_path: str, selected: pd.DataFrame, objective: str, n_aspects: int, config: TrainConfig, output_dir: Path,
    num_processes: int = 1, accelerate_config: str | None = None,
) -> dict:
    """Train in a child process (under ``accelerate launch`` when ``num_processes`` > 1).

    Returns rank 0's outcome (``model`` folder, ``global_step``, ``train_seconds``, ...).
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    # On disk, the dataset's cache files (TRL's reference log-probs among them) are shared by all ranks.
    with named_if_out_of_space(output_dir / "train_dataset"):
        preference_dataset(selected).save_to_disk(str(output_dir / "train_dataset"))
    (output_dir / "train_args.json").write_text(json.dumps({
        "model_path": model_path, "objective": objective, "n_aspects": n_aspects,
        "config": config.to_dict(), "num_processes": num_processes,
    }))
    entry = [sys.executable, "-m", "pdbench.training.train_entry", str(output_dir)]
    if num_processes > 1:
        command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(num_processes)]
        config_path = accelerate_config_path(accelerate_config)
        if config_path:
            command += ["--config_file", config_path]
        command += ["-m", "pdbench.training.train_entry", str(output_dir)]
    else:
        command = entry
    try:
        _run_quietly_interruptible(command)
    except subprocess.CalledProcessError as error:  # the child printed its own error: this is the one line after it
        if error.returncode == OUT_OF_SPACE_EXIT:
            raise out_of_space(output_dir) from None
        raise TrainingFailedError(f"training in {output_dir} failed (exit code {error.returncode}); "
                                  "the training process's error is above") from None
    return json.loads((output_dir / "rank-0.json").read_text())


def _run_quietly_interruptible(command: list[str]) -> None:
    """Run the training child; on Ctrl-C stop it with SIGTERM and re-raise here, where it is one line.

    The child starts with SIGINT ignored (Python installs its KeyboardInterrupt handler only where
    SIGINT is not ignored), so the terminal's Ctrl-C does not print its 80-line traceback.
    """
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the child, restored at once here
        try:
            child = subprocess.Popen(command)
        finally:
            signal.signal(signal.SIGINT, previous)
    else:  # signal dispositions can only be changed on the main thread
        child = subprocess.Popen(command)
    try:
        code = child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise
    if code != 0:
        raise subprocess.CalledProcessError(code, command)

"""Training under `accelerate launch` with 2 CPU processes (DDP over gloo): both ranks take part."""

import json
import re

import pandas as pd
import pytest

from pdbench.training.launch import accelerate_config_path, run_training
from pdbench.training.config import TrainConfig

PAIRS = pd.DataFrame({
    "prompt": [f"What is {i} + {i}?" for i in range(8)],
    "chosen": [str(2 * i) for i in range(8)],
    "rejected": [f"{2 * i + 1}, probably." for i in range(8)],
})


def test_two_cpu_processes_both_train(tiny_llama_path, tmp_path):
    config = TrainConfig(learning_rate=1e-3, batch_size=4, per_device_batch_size=2, max_length=64, max_steps=2,
                         warmup_ratio=0.0)
    outcome = run_training(tiny_llama_path, PAIRS, "dpo", 4, config, tmp_path, num_processes=2,
                           accelerate_config="cpu_ddp.yaml")
    ranks = sorted(json.loads(p.read_text())["rank"] for p in tmp_path.glob("rank-*.json"))
    assert ranks == [0, 1]
    for path in tmp_path.glob("rank-*.json"):
        record = json.loads(path.read_text())
        assert record["world_size"] == 2 and record["global_step"] == 2 and record["examples_seen"] == 4
    assert (tmp_path / "model" / "model.safetensors").exists() and outcome["global_step"] == 2


def test_unknown_accelerate_config_lists_shipped_ones():
    with pytest.raises(FileNotFoundError, match="deepspeed_zero3.yaml"):
        accelerate_config_path("nope.yaml")


def test_ctrl_c_stops_the_training_child_without_its_traceback(tmp_path):
    """Ctrl-C reaches the whole foreground process group; only the parent reports it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child_pid = tmp_path / "child.pid"
    child = f"import os, time; open({str(child_pid)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    # The parent starts as in a terminal, where Ctrl-C raises KeyboardInterrupt: a SIGINT that this test
    # process ignores (one started in the background by a shell, say) would otherwise be inherited.
    parent = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "from pdbench.training.launch import _run_quietly_interruptible\n"
              f"try:\n    _run_quietly_interruptible([sys.executable, '-c', {child!r}])\n"
              "except KeyboardInterrupt:\n    print('interrupted', file=sys.stderr)\n")
    process = subprocess.Popen([sys.executable, "-c", parent], stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 30
    while not child_pid.exists() or not child_pid.read_text():
        assert time.time() < deadline, "the child did not start"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    _, stderr = process.communicate(timeout=60)
    assert stderr.strip() == "interrupted"
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(int(child_pid.read_text()), 0)


@pytest.mark.parametrize("code, error, message", [
    (28, "OutOfSpaceError", "no space left on the device"),
    (1, "TrainingFailedError", "failed (exit code 1); the training process's error is above"),
])
def test_a_failed_training_child_ends_in_one_line(tmp_path, monkeypatch, code, error, message):
    """The parent's CalledProcessError traceback used to follow the child's: now one line names the folder."""
    import subprocess

    from pdbench.training import launch

    def child_failed(command):
        raise subprocess.CalledProcessError(code, command)

    monkeypatch.setattr(launch, "_run_quietly_interruptible", child_failed)
    with pytest.raises(Exception, match=rf"{tmp_path / 'work'}.*{re.escape(message)}") as caught:
        run_training("model", PAIRS, "dpo", 4, TrainConfig(), tmp_path / "work")
    assert type(caught.value).__name__ == error and isinstance(caught.value, OSError)  # one line in the CLI


def test_the_training_child_exits_quietly_with_its_code_when_the_disk_is_full(monkeypatch):
    import errno

    from pdbench.training import train_entry

    def disk_full(folder):
        raise RuntimeError("PytorchStreamWriter failed writing file data/0") from OSError(errno.ENOSPC, "full")

    monkeypatch.setattr(train_entry, "main", disk_full)
    assert train_entry.run("folder") == train_entry.OUT_OF_SPACE_EXIT == 28

    def bug(folder):
        raise KeyError("a bug keeps its traceback")

    monkeypatch.setattr(train_entry, "main", bug)
    with pytest.raises(KeyError):
        train_entry.run("folder")

"""SFT and DPO / DMPO in child processes: one process, or N under ``accelerate launch`` (``pdbench.infra.launch``).

The runner hands a training stage to ``python -m pdbench.training.entry FOLDER`` with its inputs in
the folder (``job.json`` and, for DPO, the saved pair dataset); every rank writes ``rank-<i>.json``
and rank 0 saves the model in ``FOLDER/model``. Only the child trains, so only training is
distributed and the main process alone logs and writes results.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd

from pdbench.infra.fileio import named_if_out_of_space
from pdbench.infra.launch import Launch, run_child
from pdbench.training.config import SFTConfig, TrainConfig
from pdbench.training.precision import resolve_precision

CONFIG_DIR = Path(__file__).resolve().parent / "accelerate_configs"
ENTRY = "pdbench.training.entry"


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


def run_training(model_path: str, selected: pd.DataFrame, objective: str, n_aspects: int, config: TrainConfig,
                 output_dir: Path, launch: Launch = Launch()) -> dict:
    """DPO / DMPO of ``model_path`` on the planned pairs in a child process (``launch``), saved in ``output_dir/model``.

    Returns rank 0's outcome (``model``, ``global_step``, ``train_seconds``, ``log_history`` ...) with the
    child's ``wall_seconds`` and the ``devices`` it used.
    """
    from pdbench.training.train import preference_dataset

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    # On disk, the dataset's cache files (TRL's reference log-probs among them) are shared by all ranks.
    with named_if_out_of_space(output_dir / "train_dataset"):
        preference_dataset(selected).save_to_disk(str(output_dir / "train_dataset"))
    job = {"kind": "dpo", "model_path": model_path, "objective": objective, "n_aspects": n_aspects,
           "config": config.to_dict(), "num_processes": launch.num_processes}
    return _run_job(job, output_dir, replace(launch, precision=resolve_precision(config.precision)), f"{objective} training")


def run_sft(model_path: str, config: SFTConfig, output_dir: Path, launch: Launch = Launch()) -> dict:
    """SFT of ``model_path`` on ``config.dataset`` in a child process (``launch``), saved in ``output_dir/model``
    with its tokenizer and chat template. Returns rank 0's outcome with ``wall_seconds`` and ``devices``."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    job = {"kind": "sft", "model_path": model_path, "config": config.to_dict(), "precision": launch.precision,
           "num_processes": launch.num_processes}
    return _run_job(job, output_dir, launch, "SFT")


def _run_job(job: dict, output_dir: Path, launch: Launch, what: str) -> dict:
    (output_dir / "job.json").write_text(json.dumps(job))
    for stale in output_dir.glob("rank-*.json"):
        stale.unlink()
    seconds = run_child(ENTRY, output_dir, launch, what)
    outcome = json.loads((output_dir / "rank-0.json").read_text())
    return {**outcome, "wall_seconds": seconds, "devices": launch.num_processes}

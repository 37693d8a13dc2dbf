"""``python -m pdbench.training.entry FOLDER``: a training stage's own process (one rank under accelerate).

Reads FOLDER/job.json written by ``pdbench.training.launch`` (``kind``: ``dpo`` or ``sft``) and, for DPO,
FOLDER/train_dataset (a saved ``datasets.Dataset``); each rank writes FOLDER/rank-<i>.json with its
outcome (the number of steps it took part in, whether ZeRO-3 partitioned the model as it loaded ...).
"""

import json
import sys
from pathlib import Path

from pdbench.infra.launch import rank, run_entry, world_size
from pdbench.infra.quiet import hide_library_progress_bars, known_warnings_silenced
from pdbench.training.config import SFTConfig, TrainConfig


def main(folder: str) -> None:
    """Run the job described by the files in ``folder``."""
    folder = Path(folder)
    job = json.loads((folder / "job.json").read_text())
    hide_library_progress_bars()
    with known_warnings_silenced():
        if job["kind"] == "dpo":
            from datasets import load_from_disk

            from pdbench.training.train import train_policy

            outcome = train_policy(job["model_path"], load_from_disk(str(folder / "train_dataset")), job["objective"],
                                   job["n_aspects"], TrainConfig(**job["config"]), folder,
                                   n_processes=job["num_processes"])
        elif job["kind"] == "sft":
            from pdbench.training.sft import sft_policy

            outcome = sft_policy(job["model_path"], SFTConfig(**job["config"]), folder, job["precision"],
                                 n_processes=job["num_processes"])
        else:
            raise ValueError(f"{folder / 'job.json'}: unknown job kind {job['kind']!r}")
    outcome.update(rank=rank(), world_size=world_size())
    (folder / f"rank-{rank()}.json").write_text(json.dumps(outcome))


if __name__ == "__main__":
    sys.exit(run_entry(main, sys.argv[1]))

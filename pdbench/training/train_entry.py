"""``python -m pdbench.training.train_entry DIR``: the training stage's own process (one rank under accelerate).

Reads DIR/train_dataset (a saved ``datasets.Dataset``) and DIR/train_args.json written by ``pdbench.training.launch``; each rank
writes DIR/rank-<i>.json with the number of steps it took part in (the DDP test reads them).
"""

import json
import os
import sys
from pathlib import Path

from datasets import load_from_disk

from pdbench.infra.fileio import is_out_of_space
from pdbench.infra.quiet import hide_library_progress_bars, known_warnings_silenced
from pdbench.training.config import TrainConfig
from pdbench.training.train import train_policy

OUT_OF_SPACE_EXIT = 28
"""This process's exit code when a write failed for lack of space (ENOSPC's number)."""


def main(folder: str) -> None:
    """Train as described by the files in ``folder``."""
    folder = Path(folder)
    args = json.loads((folder / "train_args.json").read_text())
    selected = load_from_disk(str(folder / "train_dataset"))
    hide_library_progress_bars()
    with known_warnings_silenced():
        outcome = train_policy(
            args["model_path"], selected, args["objective"], args["n_aspects"], TrainConfig(**args["config"]), folder,
            n_processes=args["num_processes"],
        )
    rank = int(os.environ.get("RANK", "0"))
    outcome.update(rank=rank, world_size=int(os.environ.get("WORLD_SIZE", "1")))
    (folder / f"rank-{rank}.json").write_text(json.dumps(outcome))


def run(folder: str) -> int:
    """``main(folder)``; the exit code is OUT_OF_SPACE_EXIT, with nothing printed, when the disk is full: the
    parent then says so in one line naming the folder (``pdbench.training.launch``)."""
    try:
        main(folder)
    except Exception as error:
        if is_out_of_space(error):
            return OUT_OF_SPACE_EXIT
        raise
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))

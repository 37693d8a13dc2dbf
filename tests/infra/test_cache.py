"""The content-addressed cache: stable keys, and stage locks that make parallel processes compute a stage once."""

import multiprocessing
import time
from pathlib import Path

from pdbench.infra.cache import content_key, stage_lock


def test_content_key_is_stable_and_order_free_for_dicts():
    assert content_key("a", {"x": 1, "y": 2}) == content_key("a", {"y": 2, "x": 1})
    assert content_key("a", {"x": 1}) != content_key("a", {"x": 2})


def _compute_once(folder: str) -> None:
    """What a stage does: under the lock, compute only if the finished marker is missing."""
    folder = Path(folder)
    with stage_lock(folder):
        if not (folder / "done").exists():
            time.sleep(0.3)  # a slow computation: the other processes arrive meanwhile
            with open(folder.parent / "computations.log", "a") as log:
                log.write("computed\n")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "done").write_text("ok")


def test_parallel_processes_compute_a_locked_stage_once(tmp_path):
    folder = tmp_path / "stage" / "key"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_compute_once, args=(str(folder),)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    assert (tmp_path / "stage" / "computations.log").read_text() == "computed\n"

"""benchmarks/dpo_throughput.py: the order its variants run in."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from dpo_throughput import interleaved  # noqa: E402


def test_variants_alternate_so_that_a_drifting_load_weighs_on_both():
    assert interleaved(["new", "shared"], 3) == ["new", "shared", "shared", "new", "new", "shared"]


def test_old_runs_first_before_pdbench_patches_trl():
    assert interleaved(["new", "old"], 2)[:2] == ["old", "old"]

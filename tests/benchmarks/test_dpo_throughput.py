"""benchmarks/dpo_throughput.py: the bf16 matmul peak is measured only where bf16 is native; the order its
variants run in."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import dpo_throughput  # noqa: E402
from dpo_throughput import interleaved  # noqa: E402

from pdbench.training import precision  # noqa: E402


def test_no_bf16_peak_is_measured_where_bf16_is_emulated(monkeypatch, capsys):
    measured = []
    monkeypatch.setattr(dpo_throughput, "matmul_peak_flops", lambda **kwargs: measured.append(kwargs) or 2e9)
    monkeypatch.setattr(precision, "has_native_bf16", lambda: False)
    assert dpo_throughput.bf16_peak_gflops() is None and measured == []  # emulated: over ten minutes on a CPU
    assert "no native bf16" in capsys.readouterr().err
    monkeypatch.setattr(precision, "has_native_bf16", lambda: True)
    assert dpo_throughput.bf16_peak_gflops() == 2.0 and len(measured) == 1


def test_variants_alternate_so_that_a_drifting_load_weighs_on_both():
    assert interleaved(["new", "shared"], 3) == ["new", "shared", "shared", "new", "new", "shared"]


def test_old_runs_first_before_pdbench_patches_trl():
    assert interleaved(["new", "old"], 2)[:2] == ["old", "old"]

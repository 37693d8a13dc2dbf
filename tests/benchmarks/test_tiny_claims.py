"""benchmarks/tiny_claims.py: the statistics behind docs/results-tiny.md's claim checks."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import tiny_claims  # noqa: E402

CELLS = ROOT / "docs" / "results-tiny" / "cells"


def test_paired_matches_scipy_paired_t_test():
    a = pd.Series([1.10, 0.95, 1.02], index=[0, 1, 2])
    b = pd.Series([1.00, 0.97, 0.90], index=[0, 1, 2])
    result = tiny_claims.paired(a, b)
    expected = stats.ttest_rel(a, b)
    assert result["t"] == pytest.approx(expected.statistic)
    assert result["p"] == pytest.approx(expected.pvalue)
    assert result["mean_diff"] == pytest.approx(0.0666667, abs=1e-6)
    assert result["n"] == 3


def test_paired_pairs_cells_by_seed_not_by_position():
    a = pd.Series([1.0, 2.0, 3.0], index=[0, 1, 2])
    b = pd.Series([1.5, 2.0, 9.0], index=[1, 2, 3])  # seeds 1 and 2 in common
    result = tiny_claims.paired(a, b)
    assert result["n"] == 2
    assert result["mean_diff"] == pytest.approx(((2.0 - 1.5) + (3.0 - 2.0)) / 2)


def test_paired_needs_two_seeds():
    assert tiny_claims.paired(pd.Series([1.0], index=[0]), pd.Series([0.5], index=[0])) is None


def _cells(rows):
    columns = ["strategy", "aw", "answer_chars", "selected_conflict_rate", "selected_delta_len"]
    return pd.DataFrame(rows, columns=columns)


def test_length_diagnostics_leaves_out_the_baseline_and_cells_that_select_nothing():
    cells = _cells([
        ("ours", 0.8, 180.0, 0.05, 4.0),
        ("rand", 1.0, 120.0, 0.30, 0.0),
        ("high", 1.1, 90.0, 0.50, -2.0),
        ("sft", 0.9, 150.0, None, None),
        # the AW baseline: far off the trend on purpose, so including it would change r
        ("overall", 1.0, 400.0, 0.30, 0.0),
    ])
    diagnostics = tiny_claims.length_diagnostics(cells)
    trained = cells.iloc[:4]
    assert diagnostics["aw_vs_answer_chars"]["n"] == 4
    assert diagnostics["aw_vs_answer_chars"]["r"] == pytest.approx(np.corrcoef(trained["aw"], trained["answer_chars"])[0, 1])
    selecting = cells.iloc[:3]
    assert diagnostics["answer_chars_vs_selected_delta_len"]["n"] == 3
    assert diagnostics["answer_chars_vs_selected_conflict_rate"]["r"] == pytest.approx(
        np.corrcoef(selecting["answer_chars"], selecting["selected_conflict_rate"])[0, 1])


def test_degradation_is_lowest_minus_highest_conflict_level():
    cells = pd.DataFrame({
        "strategy": ["all"] * 6, "conflict": [0.1] * 3 + [0.3] * 3, "seed": [0, 1, 2] * 2,
        "aw": [1.2, 1.1, 1.3, 1.0, 1.0, 1.1],
    })
    result = tiny_claims.degradation(cells)
    assert result["levels"] == [0.1, 0.3]
    assert result["aw_drop"] == pytest.approx(0.5 / 3)


def _rounded(value):
    """``value`` with every float rounded to 9 places: equal up to the last bits of a sum's order."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


@pytest.mark.skipif(not (CELLS / "tiny-table1").is_dir(), reason="the committed tiny-reproduction cells are absent")
def test_script_on_the_committed_cells_reproduces_the_documented_numbers(tmp_path):
    out, plot = tmp_path / "claims.json", tmp_path / "length.png"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tiny_claims.py"), str(CELLS / "tiny-table1"),
         str(CELLS / "tiny-budget"), "--json", str(out), "--plot", str(plot)],
        capture_output=True, text=True, check=True,
    )
    summary = json.loads(out.read_text())
    committed = json.loads((ROOT / "docs" / "results-tiny" / "claims.json").read_text())
    assert _rounded(summary) == _rounded(committed)
    assert summary["length"]["aw_vs_answer_chars"]["r"] == pytest.approx(-0.55, abs=0.005)
    assert json.loads(completed.stdout.splitlines()[-1])["cells"] == summary["cells"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_noise_floor_is_the_paired_t_tests_detectable_difference():
    checks = [{"metric": "aw", "std_diff": 0.1, "n": 3}, {"metric": "aw", "std_diff": 0.1, "n": 3},
              {"metric": "lc", "std_diff": 9.0, "n": 3}]  # LC is on another scale: left out
    floor = tiny_claims.noise_floor(checks)
    assert floor["sd_paired_aw"] == pytest.approx(0.1) and floor["comparisons"] == 2
    expected = (stats.t.ppf(0.975, 2) + stats.t.ppf(0.8, 2)) * 0.1 / np.sqrt(3)
    assert floor["detectable_aw_difference"] == pytest.approx(expected)
    needed = floor["seeds_for_target"]  # the first n at which 0.05 becomes detectable
    detect = lambda n: (stats.t.ppf(0.975, n - 1) + stats.t.ppf(0.8, n - 1)) * 0.1 / np.sqrt(n)  # noqa: E731
    assert detect(needed) <= 0.05 < detect(needed - 1)

"""benchmarks/world_variants.py: what each strategy's pairs teach, on a small world."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import world_variants  # noqa: E402


@pytest.mark.slow  # PD estimation with the embedded sentence encoder: about a minute on 2 cores
def test_taught_rows_measure_each_strategys_pairs_and_their_push():
    rows = world_variants.taught_rows("world:positive_control", seed=0, conflict=0.3, budget=0.3, world_prompts=80)
    assert set(rows) == {"overall", "all", "rand", "ours", "high", "pairs:conflicting", "pairs:consistent"}
    assert rows["all"]["conflict_rate"] == pytest.approx(0.3, abs=0.02)
    assert rows["rand"]["pairs"] == rows["ours"]["pairs"] == rows["high"]["pairs"] == round(0.3 * rows["all"]["pairs"])
    for row in rows.values():  # only fabrication differs in the positive control, and the push prices it at -1
        assert row["correct_delta"] == row["filler_delta"] == 0
        assert row["style_gold"] == pytest.approx(-row["fabricated_delta"])
        assert row["learnable_push"] == pytest.approx(row["pairs"] * row["style_gold"])
    assert rows["pairs:conflicting"]["fabricated_delta"] > 0 > rows["pairs:consistent"]["fabricated_delta"]
    table = world_variants.format_rows(rows)
    assert table.splitlines()[0].split()[:3] == ["n", "confl", "agree"] and "ours" in table


def test_format_rows_prints_a_row_per_group_with_blank_cells_for_missing_values():
    row = {"pairs": 10, "agrees": 0.5, "gold_delta": 0.1, "words_delta": -1.0, "correct_delta": 0.2,
           "filler_delta": -0.1, "hedged_delta": 0.0, "fabricated_delta": None, "format_kept_delta": None,
           "style_gold": 0.025, "learnable_push": 0.25}
    lines = world_variants.format_rows({"ours": {**row, "conflict_rate": 0.1}, "pairs:conflicting": row}).splitlines()
    assert len(lines) == 3 and lines[1].split()[:4] == ["ours", "10", "0.10", "50%"]
    assert lines[2].split()[:3] == ["pairs:conflicting", "10", "-"]

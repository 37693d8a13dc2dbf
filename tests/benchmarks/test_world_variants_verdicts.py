"""The pre-registered verdict rule of docs/experiments/world-variants.md, on made-up cells."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from world_variants_verdicts import (  # noqa: E402
    PREDICTIONS,
    judge,
    load_variant,
    taught_and_learned,
    taught_learned_fits,
    variant_noise,
    within_seed_correlations,
)

FLOOR = 0.38


def _write_cells(root: Path, variant: str, aws: dict[tuple[str, int], float], fabricated: float = 0.1) -> dict:
    for (strategy, seed), aw in aws.items():
        folder = root / f"variant-{variant}" / f"{strategy}-c0.3-b0.3-s{seed}"
        folder.mkdir(parents=True)
        (folder / "result.json").write_text(json.dumps({
            "config": {"strategy": strategy, "seed": seed}, "pairwise": {"aw": aw},
            "taught": {"all": {"pairs": 270, "fabricated_delta": -0.5, "filler_delta": 0.0, "words_delta": -2.0}},
            "behaviour": {"policy": {"fabricated": fabricated, "filler": 0.2, "hedged": 0.1, "correct": 0.5,
                                     "length_words": 30.0}}}))
    return load_variant(root, variant)


def _prediction(pid: str) -> tuple:
    return next(p for p in PREDICTIONS if p[0] == pid)


def test_a_directional_prediction_holds_beyond_noise_within_noise_or_misses(tmp_path):
    clear = _write_cells(tmp_path / "a", "positive_control", {("ours", s): 1.3 + 0.01 * s for s in range(3)}
                         | {("rand", s): 1.0 for s in range(3)})
    assert judge(_prediction("P1"), clear, FLOOR)["verdict"] == "holds beyond noise"
    noisy = _write_cells(tmp_path / "b", "positive_control", {("ours", 0): 1.5, ("ours", 1): 0.8, ("ours", 2): 1.1}
                         | {("rand", s): 1.0 for s in range(3)})
    assert judge(_prediction("P1"), noisy, FLOOR)["verdict"] == "holds within noise"
    wrong = _write_cells(tmp_path / "c", "positive_control", {("ours", s): 0.9 - 0.01 * s for s in range(3)}
                         | {("rand", s): 1.0 for s in range(3)})
    verdict = judge(_prediction("P1"), wrong, FLOOR)
    assert verdict["verdict"] == "miss" and verdict["mean_diff"] < 0
    assert abs(verdict["behaviour"]["ours"]["fabricated"] - 0.1) < 1e-9  # the signature's numbers come along


def test_an_about_equal_prediction_holds_only_below_the_noise_floor(tmp_path):
    close = _write_cells(tmp_path / "a", "decoupled", {("high", s): 1.0 + 0.1 * s for s in range(3)}
                         | {("sft", s): 1.0 for s in range(3)})
    assert judge(_prediction("P6"), close, FLOOR)["verdict"].startswith("holds")
    far = _write_cells(tmp_path / "b", "decoupled", {("high", s): 1.5 for s in range(3)} | {("sft", s): 1.0 for s in range(3)})
    assert judge(_prediction("P6"), far, FLOOR)["verdict"] == "miss"


def test_fewer_than_three_seeds_is_not_a_verdict(tmp_path):
    partial = _write_cells(tmp_path, "positive_control", {("ours", 0): 1.4, ("rand", 0): 1.0, ("rand", 1): 1.0})
    verdict = judge(_prediction("P1"), partial, FLOOR)
    assert verdict["seeds"] == [0] and verdict["verdict"].startswith("incomplete") and verdict["p"] is None
    assert judge(_prediction("P2"), partial, FLOOR)["verdict"] == "not run"


def test_the_taught_and_learned_table_and_the_variants_own_noise_floor(tmp_path):
    cells = _write_cells(tmp_path, "decoupled", {("ours", 0): 1.2, ("ours", 1): 1.4, ("ours", 2): 1.0}
                         | {("rand", s): 1.0 for s in range(3)} | {("high", 0): 0.9})
    table = taught_and_learned(cells).splitlines()
    assert len(table) == 2 + 3  # header, rule, one row per strategy with cells (ours, rand, high)
    assert table[2].startswith("| `ours` | 3 | 270 | -0.50 | +0.00 | -2.00 | 0.100 |") and table[2].endswith("| 1.20 ± 0.16 |")
    assert table[4].endswith("| 0.90 |")  # one seed: the mean alone
    verdicts = [judge(p, cells, FLOOR) for p in PREDICTIONS if p[1] == "decoupled"]
    noise = variant_noise(verdicts, "decoupled")  # only P4 has two or more seeds: its sd is the pooled sd
    assert abs(noise["sd_paired_aw"] - 0.2) < 1e-9 and noise["comparisons"] == 1 and noise["seeds"] == 3
    assert noise["detectable_aw_difference"] > 0.2 and noise["seeds_for_target"] > 3


def test_within_seed_correlations_remove_each_seeds_mean_and_leave_out_overall(tmp_path):
    # Seed 1's AW is higher across the board (a weaker baseline); within each seed the cell with more
    # fabrication has the lower AW, so only after each seed's mean is removed is r = -1.
    aws = {("ours", 0): 1.0, ("rand", 0): 0.9, ("ours", 1): 1.5, ("rand", 1): 1.4, ("overall", 0): 1.0, ("overall", 1): 1.0}
    cells = {}
    for (strategy, seed), aw in aws.items():
        fabricated = {"ours": 0.0, "rand": 0.2, "overall": 0.9}[strategy] + 0.5 * seed
        cells |= _write_cells(tmp_path / f"{strategy}{seed}", "decoupled", {(strategy, seed): aw}, fabricated)
    r = within_seed_correlations(cells)
    assert r["cells"] == 4 and abs(r["fabricated"] + 1) < 1e-9
    assert r["filler"] is None  # filler is 0.2 in every cell: no correlation to give


def test_taught_learned_fits_are_within_seeds_and_skip_cells_without_pairs(tmp_path):
    # Within each seed the policy writes 2 words more per word its pairs taught; seed 1's policies are all
    # 10 words longer, which only the seed centring keeps out of the slope. The SFT cell trained on no pairs.
    cells = {}
    for strategy, seed, taught_words in (("ours", 0, -2.0), ("rand", 0, 0.0), ("all", 0, 1.0),
                                         ("ours", 1, -2.0), ("rand", 1, 0.0), ("all", 1, 1.0), ("sft", 0, None)):
        cells |= _write_cells(tmp_path / f"{strategy}{seed}", "decoupled", {(strategy, seed): 1.0})
        result = cells[(strategy, seed)]
        if taught_words is None:
            del result["taught"]
        else:
            result["taught"]["all"] |= {"words_delta": taught_words, "correct_delta": 0.1}
        result["behaviour"]["policy"]["length_words"] = 30.0 + 2 * (taught_words or 0) + 10 * seed
    fits = taught_learned_fits(cells)
    assert fits["cells"] == 6
    assert abs(fits["length_words"]["slope"] - 2.0) < 1e-9 and abs(fits["length_words"]["r"] - 1.0) < 1e-9
    assert fits["filler"] is None and fits["correct"] is None  # taught the same everywhere: nothing to fit

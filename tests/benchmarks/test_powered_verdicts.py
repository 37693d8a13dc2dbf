"""benchmarks/powered_verdicts.py: the pre-registered rule of docs/experiments/powered-comparisons.md."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import powered_verdicts as pv  # noqa: E402

from pdbench.leaderboard.power import paired_difference  # noqa: E402
from tests.fakes import fake_result_of  # noqa: E402


def _rule(sign, diffs):
    a, b = pd.Series(diffs, dtype=float), pd.Series([0.0] * len(diffs))
    return pv.rule(sign, paired_difference(a, b), paired_difference(a, b, confidence=0.90))


def test_directional_predictions_hold_only_beyond_noise_and_say_whether_a_null_was_powered():
    assert _rule(+1, [0.10, 0.12, 0.11, 0.09]) == "holds"
    assert _rule(-1, [0.10, 0.12, 0.11, 0.09]) == "reversed"
    assert _rule(+1, [0.01, -0.01, 0.012, -0.008] * 4) == "not shown (powered null)"
    assert _rule(+1, [0.2, -0.2, 0.1]).startswith("not shown (underpowered: MDD ")


def test_an_equivalence_prediction_needs_its_90_percent_ci_inside_the_margin():
    assert _rule(0, [0.01, -0.01, 0.012, -0.008] * 4) == "holds (equivalent within ±0.05)"
    assert _rule(0, [0.2, -0.2, 0.1]) == "inconclusive"
    assert _rule(0, [0.10, 0.12, 0.11, 0.09]) == "miss (differs)"


def _cell(folder: Path, world: str, strategy: str, seed: int, aw: float, precision: str = "fp32"):
    folder.mkdir(parents=True)
    result = fake_result_of(strategy, seed, aw, "world" if world == "default" else f"world:{world}", (50.0,),
                            alpaca_eval={"win_rate": 50 * aw, "length_controlled_winrate": 50.0},
                            behaviour={"policy": {"filler": 0.1 if strategy == "ours" else 0.3, "length_words": 20.0}},
                            costs={"training": {"seconds": 1.0, "precision": precision}})
    (folder / "result.json").write_text(json.dumps(result))


def test_the_script_judges_the_planned_seeds_only_and_says_how_many_finished(tmp_path):
    for seed in (0, 3, 4, 5):  # seed 0 is the pilot's: never part of the verdict
        for strategy, aw in (("ours", 1.10 + 0.01 * seed), ("rand", 1.0), ("all", 1.02)):
            precision = "bf16" if seed == 3 or (seed == 5 and strategy == "all") else "fp32"
            _cell(tmp_path / "powered-decoupled" / f"{strategy}-s{seed}", "decoupled", strategy, seed, aw, precision)
    completed = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "powered_verdicts.py"), str(tmp_path)],
                               capture_output=True, text=True, check=True)
    verdicts = {v["id"]: v for v in json.loads(completed.stdout.splitlines()[-1])}
    assert verdicts["Q1"]["verdict"] == "holds — 3 of 12 planned seeds" and verdicts["Q1"]["seeds"] == 3
    assert verdicts["Q1"]["aw"]["mean"] == pytest.approx(0.14) and verdicts["Q1"]["aw_sft"]["mean"] == pytest.approx(0.14)
    assert verdicts["Q1"]["behaviour"]["ours"]["filler"] == pytest.approx(0.1)
    assert verdicts["Q3"]["verdict"] == "not run (under two seeds)" and verdicts["Q4"]["verdict"].startswith("not run")
    assert "MDD" in completed.stdout and "signature" in completed.stdout
    assert "trained in s0 fp32, s3 bf16, s4 fp32, s5 bf16/fp32 (MIXED)" in completed.stdout

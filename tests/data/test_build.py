"""`pdbench data build` on the built-in world: the issue's acceptance checks."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from pdbench.cli import main


def oriented(pairs: pd.DataFrame):
    """The (prompt, best, other) pairs that `oracle` trains on, plus the overall scores `overall` uses."""
    best_other = [(r.prompt, r.rejected, r.chosen) if r.is_conflict else (r.prompt, r.chosen, r.rejected)
                  for r in pairs.itertuples()]
    return best_other, sorted(zip(pairs["chosen_overall"] + pairs["rejected_overall"], pairs["prompt"]))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    runner = CliRunner()
    out = {}
    for level in (0.1, 0.2, 0.3):
        folder = tmp_path_factory.mktemp(f"world-c{int(level * 100)}")
        result = runner.invoke(main, ["data", "build", "--dataset", "world", "--conflict", str(level), "--seed", "0",
                                      "--out", str(folder)])
        assert result.exit_code == 0, result.output
        out[level] = folder
    return out


@pytest.mark.parametrize("level", [0.1, 0.2, 0.3])
def test_conflict_rate_is_met_and_files_are_written(built, level):
    stats = json.loads((built[level] / "stats.json").read_text())
    assert abs(stats["conflict_rate"] - level) <= 0.01
    assert {"n_pairs", "per_aspect", "length", "attainable_conflict_range"} <= set(stats)
    assert (built[level] / "conflict_breakdown.png").read_bytes()[:4] == b"\x89PNG"
    assert sum(a["conflicting"] for a in stats["per_aspect"].values()) == stats["n_conflicting"]


def test_overall_and_oracle_pairs_identical_across_levels(built):
    tables = {level: pd.read_json(folder / "pairs.jsonl", lines=True) for level, folder in built.items()}
    assert oriented(tables[0.1]) == oriented(tables[0.2]) == oriented(tables[0.3])


def test_stats_command_matches_build(built):
    result = CliRunner().invoke(main, ["data", "stats", str(built[0.2]), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n_pairs"] == json.loads((built[0.2] / "stats.json").read_text())["n_pairs"]


def test_unattainable_level_fails_cleanly(tmp_path):
    result = CliRunner().invoke(main, ["data", "build", "--dataset", "world", "--conflict", "0.95", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and "attainable range" in result.output
    assert not (tmp_path / "x").exists()  # nothing half-written

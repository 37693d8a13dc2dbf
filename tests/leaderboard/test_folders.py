"""Leaderboard cells from run folders: what an untracked sweep and the claim scripts read."""

import json

from pdbench.leaderboard.folders import folder_cells
from tests.fakes import fake_result_of


def _cell(folder, strategy, seed, aw, dataset="world", costs=None):
    folder.mkdir(parents=True)
    result = fake_result_of(strategy, seed, aw, dataset, answer_chars=(10.0, 30.0),
                            alpaca_eval={"win_rate": 51.0, "length_controlled_winrate": 50.5})
    if costs is not None:
        result["costs"] = costs
    (folder / "result.json").write_text(json.dumps(result))


def test_a_sweep_folder_and_a_cell_folder_and_unfinished_cells(tmp_path):
    _cell(tmp_path / "sweep" / "ours-s0", "ours", 0, 1.1, costs={"training": {"precision": "bf16"}})
    _cell(tmp_path / "sweep" / "rand-s0", "rand", 0, 0.9, costs={"training": None, "baseline": {"precision": "fp32"}})
    (tmp_path / "sweep" / "rand-s1").mkdir()  # unfinished: no result.json
    _cell(tmp_path / "alone", "ours", 1, 1.0)
    cells = folder_cells([tmp_path / "sweep", tmp_path / "alone"])
    assert list(cells["strategy"]) == ["ours", "rand", "ours"] and list(cells["seed"]) == [0, 0, 1]
    assert set(cells["setup"]) == {"all runs"} and cells["answer_chars"].iloc[0] == 20.0
    assert cells["lc"].iloc[0] == 50.5 and cells["folder"].iloc[2] == tmp_path / "alone"
    # the arithmetic the policy trained in: DPO's, else (nothing trained) the baseline's, else unknown
    assert list(cells["precision"].fillna("unknown")) == ["bf16", "fp32", "unknown"]


def test_cells_of_several_datasets_are_several_setups(tmp_path):
    _cell(tmp_path / "a" / "ours-s0", "ours", 0, 1.1)
    _cell(tmp_path / "b" / "ours-s0", "ours", 0, 1.2, dataset="world:decoupled")
    assert list(folder_cells([tmp_path / "a", tmp_path / "b"])["setup"]) == ["world", "world:decoupled"]
    assert folder_cells([tmp_path / "none"]).empty


def test_behaviour_columns_are_named_as_in_mlflow_and_empty_where_a_cell_has_none(tmp_path):
    _cell(tmp_path / "ours-s0", "ours", 0, 1.1)
    _cell(tmp_path / "rand-s0", "rand", 0, 0.9)
    file = tmp_path / "ours-s0" / "result.json"
    result = json.loads(file.read_text())
    result["behaviour"] = {"policy": {"filler": 0.25, "length_words": 40.0}, "policy_vs_sft": {"filler": -0.5}}
    file.write_text(json.dumps(result))
    cells = folder_cells([tmp_path])
    assert list(cells.columns[-3:]) == ["behaviour.filler", "behaviour.length_words", "behaviour_vs_sft.filler"]
    assert cells["behaviour.filler"].iloc[0] == 0.25 and cells["behaviour_vs_sft.filler"].iloc[0] == -0.5
    assert cells["behaviour.filler"].isna().iloc[1]  # a cell off the world (or before behaviour was kept)

"""The leaderboard's comparisons: which pairs are compared, which way round, and what the tables say."""

import numpy as np
import pandas as pd
import pytest

from pdbench.leaderboard.comparisons import comparisons, comparisons_markdown, write_comparisons

AW = {"ours": [1.10, 1.02, 1.06], "rand": [1.00, 0.99, 0.97], "all": [1.05, 1.00, 1.10]}


def _cells(budget=0.3, conflicts=(0.3,)) -> pd.DataFrame:
    """Cells as ``select_cells`` keeps them: a full-data strategy has no budget."""
    rows = [{"setup": "all runs", "strategy": s, "conflict": c, "budget": np.nan if s == "all" else budget, "seed": seed,
             "aw": value} for s, values in AW.items() for c in conflicts for seed, value in enumerate(values)]
    return pd.DataFrame(rows)


def test_every_pair_reads_higher_minus_lower_with_its_paired_test():
    table = comparisons(_cells())
    assert len(table) == 3 and (table["diff"] >= 0).all()
    ours_rand = table[(table["a"] == "ours") & (table["b"] == "rand")].iloc[0]
    diffs = np.subtract(AW["ours"], AW["rand"])
    assert ours_rand["diff"] == pytest.approx(diffs.mean()) and ours_rand["sd"] == pytest.approx(diffs.std(ddof=1))
    assert ours_rand["seeds"] == 3 and ours_rand["ci_low"] < ours_rand["diff"] < ours_rand["ci_high"]
    assert ours_rand["budget"] == 0.3  # the full-data side has none; the row shows the budgeted side's


def test_compare_keeps_the_pairs_of_the_named_strategies_with_them_first():
    table = comparisons(_cells(), compare=("rand",))
    assert list(zip(table["a"], table["b"])) == [("rand", "all"), ("rand", "ours")]
    assert (table["diff"] < 0).all()


def test_only_like_cells_are_compared():
    cells = pd.concat([_cells(0.3, (0.1, 0.3)), _cells(0.1).query("strategy == 'ours'")])
    table = comparisons(cells)
    # each level: ours-rand, ours-all, rand-all at λ 0.3; at 30 % also ours at λ 0.1, which meets `all` (it has no
    # budget) but neither rand at λ 0.3 nor itself at the other budget; levels are never mixed
    assert table.groupby("conflict").size().to_dict() == {0.1: 3, 0.3: 4}
    assert not (table["a"] == table["b"]).any()
    extra = table[table["budget"] == 0.1]
    assert len(extra) == 1 and {extra.iloc[0]["a"], extra.iloc[0]["b"]} == {"ours", "all"}


def test_pairs_sharing_one_seed_are_left_out_and_none_is_said():
    one_seed = _cells().query("seed == 0")
    assert comparisons(one_seed).empty
    assert "No comparison" in comparisons_markdown(comparisons(one_seed))


def test_markdown_and_csv(tmp_path):
    files = write_comparisons(_cells(), tmp_path, target=0.1)
    text = files[0].read_text()
    assert "| ours | rand | 3 |" in text and "seeds for 0.1" in text and "| setup |" not in text
    csv = pd.read_csv(files[1])
    assert {"a", "b", "diff", "ci_low", "ci_high", "p", "mdd", "seeds_for_target"} <= set(csv.columns)
    two_setups = pd.concat([_cells(), _cells().assign(setup="dataset=world:decoupled")])
    assert "| setup |" in comparisons_markdown(comparisons(two_setups))


def test_seeds_pairing_cells_of_different_arithmetic_are_counted_and_named():
    cells = _cells().assign(precision="bf16")
    cells.loc[(cells["strategy"] == "rand") & (cells["seed"] == 2), "precision"] = "fp32"  # seed 2's rand elsewhere
    cells.loc[(cells["strategy"] == "all") & (cells["seed"] == 0), "precision"] = None  # unknown: not counted
    table = comparisons(cells).set_index(["a", "b"])["mixed"]
    assert table.to_dict() == {("all", "rand"): 1, ("ours", "all"): 0, ("ours", "rand"): 1}
    text = comparisons_markdown(comparisons(cells))
    assert "Mixed arithmetic" in text and "ours vs rand at 30%: 1 of 3" in text and "ours vs all" not in text
    assert "Mixed arithmetic" not in comparisons_markdown(comparisons(_cells()))  # no precision column: no claim
    assert (comparisons(_cells())["mixed"] == 0).all()

import pandas as pd
import pytest

from pdbench.data.pairs import ConflictLevelError, build_pairs
from pdbench.data.ultrafeedback import parse_ultrafeedback
from tests.data.conftest import uf_completion, uf_record


def records_of(raws):
    return parse_ultrafeedback(raws, "fixture")


def oriented_by_mean(pairs: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(prompt, best, other) per pair: the `oracle` orientation, which must not depend on the level."""
    return [
        (r.prompt, r.rejected, r.chosen) if r.is_conflict else (r.prompt, r.chosen, r.rejected)
        for r in pairs.itertuples()
    ]


def test_hand_made_pair_labels():
    best = uf_completion({"helpfulness": "5", "honesty": "5", "instruction_following": "2", "truthfulness": "4"},
                         response="best")
    other = uf_completion({"helpfulness": "2", "honesty": "5", "instruction_following": "4", "truthfulness": "N/A"},
                          response="other")
    [record] = records_of([uf_record([other, best])])
    # helpfulness agrees with the mean; instruction_following conflicts; honesty ties and truthfulness is N/A.
    for level, aspect, chosen in [(0.0, "helpfulness", "best"), (1.0, "instruction_following", "other")]:
        pairs, facts = build_pairs([record], level)
        row = pairs.iloc[0]
        assert (row.aspect, row.chosen, row.is_conflict) == (aspect, chosen, level == 1.0)
        assert (row.n_conflicting_aspects, row.n_agreeing_aspects) == (1, 1)
    assert facts["attainable_conflict_range"] == [0.0, 1.0]


@pytest.mark.parametrize("level", [0.1, 0.2, 0.3])
def test_conflict_level_is_met(uf_records, level):
    pairs, _ = build_pairs(records_of(uf_records), level, seed=0)
    assert abs(pairs["is_conflict"].mean() - level) <= 0.01
    assert pairs["is_conflict"].sum() == round(level * len(pairs))


def test_pairs_do_not_depend_on_the_level_and_only_flip_what_they_must(uf_records):
    records = records_of(uf_records)
    low, _ = build_pairs(records, 0.1, seed=3)
    high, _ = build_pairs(records, 0.3, seed=3)
    assert oriented_by_mean(low) == oriented_by_mean(high)
    assert list(low["chosen_overall"] + low["rejected_overall"]) == list(high["chosen_overall"] + high["rejected_overall"])
    same_status = low["is_conflict"] == high["is_conflict"]
    assert (low.loc[same_status, "aspect"] == high.loc[same_status, "aspect"]).all()
    assert (low["is_conflict"] <= high["is_conflict"]).all()  # raising the level only adds conflicts


def test_same_seed_same_pairs_other_seed_differs(uf_records):
    records = records_of(uf_records)
    a, _ = build_pairs(records, 0.2, seed=1)
    b, _ = build_pairs(records, 0.2, seed=1)
    c, _ = build_pairs(records, 0.2, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a[["chosen", "rejected", "aspect"]].equals(c[["chosen", "rejected", "aspect"]])


def test_unattainable_level_reports_the_range():
    agree = {"helpfulness": "5", "honesty": "5", "instruction_following": "5", "truthfulness": "5"}
    worse = {"helpfulness": "1", "honesty": "2", "instruction_following": "1", "truthfulness": "1"}
    records = records_of([uf_record([uf_completion(agree, response="good"), uf_completion(worse, response="bad")],
                                    instruction=f"p{i}") for i in range(10)])
    with pytest.raises(ConflictLevelError, match=r"attainable range is \[0.000, 0.000\]"):
        build_pairs(records, 0.3)


def test_ties_are_dropped_as_documented():
    same = {"helpfulness": "3", "honesty": "3", "instruction_following": "3", "truthfulness": "3"}
    shuffled = {"helpfulness": "4", "honesty": "2", "instruction_following": "3", "truthfulness": "3"}
    na_only = {"helpfulness": "N/A", "honesty": "N/A", "instruction_following": "N/A", "truthfulness": "4"}
    raws = [
        uf_record([uf_completion(same), uf_completion(same)], "all tie on mean"),
        uf_record([uf_completion(same), uf_completion(shuffled)], "mean ties too"),
        uf_record([uf_completion(na_only, response="a"), uf_completion({**na_only, "truthfulness": "2"}, response="b")], "ok"),
        uf_record([uf_completion(same), uf_completion(shuffled | {"truthfulness": "1"})], "same text, lower mean"),
    ]
    pairs, facts = build_pairs(records_of(raws), None)
    assert list(pairs["prompt"]) == ["ok"]
    assert pairs.iloc[0].aspect == "truthfulness"
    assert facts["dropped"] == {"all completions tie on mean score": 2, "chosen and rejected texts identical": 1}


def test_all_zero_aspect_weights_are_refused(uf_records):
    with pytest.raises(ValueError, match="aspect_weights are all zero"):
        build_pairs(records_of(uf_records), None, aspect_weights={"honesty": 0.0})


def test_aspect_weights_steer_the_assignment(uf_records):
    pairs, _ = build_pairs(records_of(uf_records), None, aspect_weights={"honesty": 1.0})
    eligible = pairs["aspect"] == "honesty"
    assert eligible.mean() > 0.6  # honesty wherever it can label the pair
    with pytest.raises(ValueError, match="unknown aspects"):
        build_pairs(records_of(uf_records), None, aspect_weights={"wit": 1.0})


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), -1.0])
def test_aspect_weights_must_be_finite_and_non_negative(uf_records, weight):
    """A NaN weight fails every comparison: it used to hand its pairs to the last eligible aspect silently."""
    with pytest.raises(ValueError, match="aspect_weights must be finite and non-negative"):
        build_pairs(records_of(uf_records), None, aspect_weights={"honesty": weight, "helpfulness": 1.0})


@pytest.mark.parametrize("level", [float("nan"), float("inf"), -0.5, 1.5])
def test_a_level_outside_0_to_1_is_not_attainable(uf_records, level):
    with pytest.raises(ConflictLevelError, match=f"conflict level {level} is not attainable"):
        build_pairs(records_of(uf_records), level)

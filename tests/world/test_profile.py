"""Behaviour profiles of generations and what a world pair table teaches, against the gold rubric."""

import pytest

from pdbench.data.loading import load_records
from pdbench.data.pairs import build_pairs
from pdbench.data.stats import format_summary, pair_stats
from pdbench.world import heldout_specs
from pdbench.world.profile import behaviour_profile, pair_gold_diagnostics, profile_change, text_properties


@pytest.fixture(scope="module")
def arithmetic():
    return heldout_specs(n_per_family=4)["arithmetic"][0]


def test_text_properties_read_the_rubric(arithmetic):
    answer = arithmetic.expected[0]
    clean = text_properties(arithmetic, f"The answer is {answer}.")
    assert clean == {"correct": 1.0, "filler": 0.0, "hedged": 0.0, "fabricated": 0.0, "format_kept": None}
    padded = text_properties(arithmetic, f"I think the answer is {answer}. I hope this helps! Feel free to ask me anything else.")
    assert padded["hedged"] == 1.0 and padded["filler"] == 2.0


def test_behaviour_profile_rates_and_change(arithmetic):
    answer = arithmetic.expected[0]
    texts = [f"The answer is {answer}.", "I cannot know that.", f"I think it is {answer}. I hope this helps!", "Maybe 3."]
    profile = behaviour_profile([arithmetic] * 4, texts)
    assert profile["correct"] == 0.5 and profile["refusal"] == 0.25 and profile["hedged"] == 0.5
    assert profile["filler"] == 0.25 and "format_kept" not in profile  # no prompt has a constraint
    assert profile["length_words"] == pytest.approx((4 + 4 + 9 + 2) / 4)
    change = profile_change(profile, {**profile, "correct": 0.25})
    assert change["correct"] == 0.25 and change["hedged"] == 0


def test_the_published_worlds_pairs_teach_what_issue_13_measured():
    """Seed 0, conflict 0.3: the table of issue 13 (gold = the world rubric). The issue counted 300 / 700
    pairs; since identical chosen / rejected texts are dropped (10 of 1,000 pairs) they are 297 / 693,
    and the rates moved by at most 0.02."""
    pairs, _ = build_pairs(load_records("world"), 0.3, seed=0)
    gold = pair_gold_diagnostics(pairs)
    conflicting, consistent = gold["conflicting"], gold["consistent"]
    assert (conflicting["pairs"], consistent["pairs"]) == (297, 693)
    assert round(conflicting["agrees"], 2) == 0.02 and round(conflicting["disagrees"], 2) == 0.95
    assert round(consistent["agrees"], 2) == 0.94
    assert round(conflicting["correct_delta"], 2) == -0.58 and round(consistent["correct_delta"], 2) == 0.54
    assert round(conflicting["filler_delta"], 2) == -0.75 and round(consistent["filler_delta"], 2) == 0.02
    assert round(conflicting["hedged_delta"], 2) == -0.06 and round(consistent["hedged_delta"], 2) == 0.13
    assert round(conflicting["fabricated_delta"], 2) == 0.13 and round(consistent["fabricated_delta"], 2) == -0.06
    assert round(conflicting["words_delta"], 1) == -5.8 and round(consistent["words_delta"], 1) == 1.2
    assert set(gold["per_aspect"]) == {"helpfulness", "honesty", "instruction_following", "truthfulness"}


def test_data_stats_prints_the_gold_table_only_for_world_pairs():
    pairs, _ = build_pairs(load_records("world", world_prompts=100), 0.3, seed=0)
    stats = pair_stats(pairs)
    assert "label vs the gold rubric" in format_summary(stats)
    assert stats["length_per_aspect"]["helpfulness"]["conflicting"]["pairs"] >= 0
    without = pair_stats(pairs.drop(columns="world_spec"))
    assert without["gold"] is None and "gold rubric" not in format_summary(without)

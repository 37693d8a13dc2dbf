"""World variants: the default stays byte-identical, every variant reaches the paper's conflict levels,
and the positive control's pairs teach what it was built to teach."""

import hashlib
import json

import pytest

from pdbench.data.loading import load_records
from pdbench.data.pairs import build_pairs
from pdbench.world import build_world
from pdbench.world.profile import pair_gold_diagnostics
from pdbench.world.variants import VARIANTS, parse_world_dataset

DEFAULT_WORLD_SHA256 = "b7cf820146f16f6edd68bd112831fa7583fdf64d83c787860e7d0e111d95e410"
"""sha256 of json.dumps(build_world(200)) as published (docs/results-tiny.md's cells were built on it)."""


def test_the_default_world_is_byte_identical_to_the_published_one():
    digest = hashlib.sha256(json.dumps(build_world(200)).encode()).hexdigest()
    assert digest == DEFAULT_WORLD_SHA256


def test_world_names_pick_variants():
    assert parse_world_dataset("world") is VARIANTS["default"]
    assert parse_world_dataset("world:decoupled") is VARIANTS["decoupled"]
    assert parse_world_dataset("ultrafeedback") is None
    with pytest.raises(ValueError, match="known: default, no_length_bias"):
        parse_world_dataset("world:nope")


@pytest.mark.parametrize("name", [n for n in VARIANTS if n != "default"])
def test_every_variant_reaches_the_papers_conflict_levels(name):
    records = load_records(f"world:{name}")
    for level in (0.1, 0.2, 0.3):
        pairs, _ = build_pairs(records, level, seed=0)
        assert abs(pairs["is_conflict"].mean() - level) <= 1 / (2 * len(pairs)) + 1e-9


def test_the_positive_controls_conflicts_teach_against_the_gold_and_consistent_pairs_with_it():
    pairs, _ = build_pairs(load_records("world:positive_control"), 0.3, seed=0)
    gold = pair_gold_diagnostics(pairs)
    conflicting, consistent = gold["conflicting"], gold["consistent"]
    assert conflicting["correct_delta"] == consistent["correct_delta"] == 0  # substance never differs
    assert conflicting["fabricated_delta"] > 0.9 and consistent["fabricated_delta"] < -0.4
    assert conflicting["disagrees"] > 0.9 and consistent["disagrees"] < 0.05
    assert abs(conflicting["words_delta"] - consistent["words_delta"]) < 1.0  # no length difference between groups

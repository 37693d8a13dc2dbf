"""The built world: UltraFeedback schema, determinism, held-out prompts, conflicts, speed."""

import json
import random
import time

import pytest

from pdbench.world import ASPECTS, FAMILIES, PromptSpec, WorldConfig, build_world, heldout_specs
from pdbench.world.families import draw_task


@pytest.fixture(scope="module")
def world():
    return build_world(1000, seed=0)


def test_records_have_ultrafeedbacks_schema(world):
    assert len(world) == 1000
    for record in world:
        assert set(record) == {"source", "instruction", "models", "correct_answers", "incorrect_answers",
                               "completions", "world_spec"}
        assert record["source"] in FAMILIES and isinstance(record["instruction"], str)
        assert len(record["completions"]) == 4 and record["models"] == [c["model"] for c in record["completions"]]
        for completion in record["completions"]:
            assert {"model", "principle", "custom_system_prompt", "response", "annotations", "critique",
                    "overall_score", "fine-grained_score"} <= set(completion)
            annotations = completion["annotations"]
            assert set(annotations) == set(ASPECTS)
            assert {"Rating", "Rationale", "Type", "Rationale For Rating"} <= set(annotations["helpfulness"])
            assert {"Rating", "Rationale", "Type", "Rationale For Rating"} <= set(annotations["truthfulness"])
            ratings = [annotations[aspect]["Rating"] for aspect in ASPECTS]
            assert all(rating in ("1", "2", "3", "4", "5") for rating in ratings)
            assert completion["fine-grained_score"] == pytest.approx(sum(map(int, ratings)) / 4)
            assert isinstance(completion["overall_score"], float) and 1.0 <= completion["overall_score"] <= 10.0
        assert PromptSpec.from_dict(record["world_spec"]).prompt == record["instruction"]
    json.dumps(world)


def test_specs_round_trip_through_json(world):
    for record in world[:50]:
        spec = PromptSpec.from_dict(json.loads(json.dumps(record["world_spec"])))
        assert spec.to_dict() == record["world_spec"]


def test_every_family_is_there_in_equal_shares(world):
    assert len(FAMILIES) >= 5
    counts = {family: sum(r["source"] == family for r in world) for family in FAMILIES}
    assert set(counts.values()) == {200}


def test_training_prompts_are_distinct(world):
    assert len({r["instruction"] for r in world}) == len(world)


def test_same_seed_same_world_other_seed_other_world():
    assert build_world(60, seed=3) == build_world(60, seed=3)
    assert build_world(60, seed=3) != build_world(60, seed=4)
    assert build_world(60, seed=3)[:25] == build_world(25, seed=3)  # prefix-stable


def test_the_config_changes_the_annotations_not_the_prompts():
    noisy = build_world(40, seed=0, config=WorldConfig(rating_noise=1.0))
    quiet = build_world(40, seed=0, config=WorldConfig(rating_noise=0.0))
    assert [r["instruction"] for r in noisy] == [r["instruction"] for r in quiet]
    assert noisy != quiet


def test_heldout_prompts_are_new_distinct_and_per_family(world):
    heldout = heldout_specs()
    assert set(heldout) == set(FAMILIES)
    rng = random.Random(7)
    training = {draw_task(f, "train", rng).spec.prompt for f in FAMILIES for _ in range(1000)}
    training |= {r["instruction"] for r in world}
    for family, specs in heldout.items():
        assert len(specs) >= 40 and all(spec.family == family for spec in specs)
        prompts = [spec.prompt for spec in specs]
        assert len(set(prompts)) == len(prompts)
        assert not set(prompts) & training
    assert heldout_specs(seed=0) == heldout and heldout_specs(seed=1) != heldout


def test_heldout_asks_for_more_than_a_family_has():
    with pytest.raises(ValueError, match="too few distinct"):
        heldout_specs(n_per_family=500)


def conflict_shares(records, seed):
    """Share of (best, random lower) pairs with >= 1 aspect preferring the other, and >= 1 agreeing."""
    rng = random.Random(seed)
    n = conflicting = agreeing = 0
    for record in records:
        ratings = [{a: int(c["annotations"][a]["Rating"]) for a in ASPECTS} for c in record["completions"]]
        means = [sum(r.values()) for r in ratings]
        if means.count(max(means)) > 1:
            continue
        best = ratings[means.index(max(means))]
        other = ratings[rng.choice([i for i, m in enumerate(means) if m < max(means)])]
        n += 1
        conflicting += any(other[a] > best[a] for a in ASPECTS)
        agreeing += any(best[a] > other[a] for a in ASPECTS)
    return conflicting / n, agreeing / n


@pytest.mark.parametrize("seed", [0, 1])
def test_aspects_genuinely_disagree(world, seed):
    records = world if seed == 0 else build_world(1000, seed=seed)
    conflicting, agreeing = conflict_shares(records, seed)
    assert 0.3 < conflicting < 0.6
    assert agreeing > 0.9


def test_conflicts_come_from_the_properties_not_only_from_noise():
    quiet = WorldConfig(rating_noise=0.0, length_bonus=0.0)
    conflicting, _ = conflict_shares(build_world(1000, seed=0, config=quiet), 0)
    assert conflicting > 0.3


def test_the_paper_conflict_levels_are_attainable(world):
    from pdbench.data.pairs import build_pairs
    from pdbench.data.ultrafeedback import parse_ultrafeedback

    records = parse_ultrafeedback(world, "world")
    for level in (0.1, 0.2, 0.3):
        pairs, facts = build_pairs(records, level, seed=0)
        assert pairs["is_conflict"].mean() == pytest.approx(level, abs=0.002)
    assert facts["attainable_conflict_range"][0] < 0.1 and facts["attainable_conflict_range"][1] > 0.33


def test_a_thousand_prompts_take_under_two_seconds():
    start = time.process_time()  # CPU time, so a busy machine does not fail the test
    build_world(1000, seed=5)
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize("bad", [{"p_wrong": 1.5}, {"rating_noise": -0.1}, {"flaw_count_weights": (0, 0, 0)},
                                 {"overall_noise": -1.0}, {"hedge_weight": -1.0}])
def test_config_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        WorldConfig(**bad)

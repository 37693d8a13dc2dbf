"""Composed responses: the rubric reads back exactly the properties they were composed with."""

import random
from dataclasses import replace

import pytest

from pdbench.world import ASPECTS, FAMILIES, WorldConfig, assess, rate
from pdbench.world.compose import EXTRA_SENTENCES, NEUTRAL_LEADS, Properties, compose, draw_properties
from pdbench.world.families import generate_tasks

CLEAN = Properties()


@pytest.fixture(scope="module")
def tasks():
    return generate_tasks(600, "train", random.Random(0)) + generate_tasks(300, "heldout", random.Random(1))


@pytest.mark.parametrize("is_length_matched", [False, True])
def test_the_rubric_reads_back_every_composed_property(tasks, is_length_matched):
    rng = random.Random(2)
    for task in tasks:
        for _ in range(3):
            drawn = Properties(is_correct=rng.random() < 0.5, follows_constraint=rng.random() < 0.5,
                               hedges=rng.random() < 0.4, fabricates=rng.random() < 0.4,
                               padding=rng.choice((0, 1) if is_length_matched else (0, 1, 2)))
            composed = compose(task, drawn, rng, is_length_matched)
            read, has = assess(task.spec, composed.text), composed.properties
            context = (task.spec.prompt, composed.text)
            assert read.verdict == ("correct" if has.is_correct else "wrong"), context
            assert read.is_hedged == has.hedges and read.is_fabricated == has.fabricates, context
            assert read.padding == has.padding, context
            if task.spec.constraint is not None:
                assert (read.constraint_score == 5) == has.follows_constraint, context


# Which aspects each property may move, from a clean right answer (5 everywhere).
EXPECTED_MOVES = {
    "wrong": ({"helpfulness", "honesty", "truthfulness"}, Properties(is_correct=False)),
    "breaks_format": ({"instruction_following"}, Properties(follows_constraint=False)),
    "hedges": ({"helpfulness", "honesty"}, Properties(hedges=True)),
    "fabricates": ({"honesty", "truthfulness"}, Properties(fabricates=True)),
    "padding_1": ({"instruction_following"}, Properties(padding=1)),
    "padding_2": ({"instruction_following", "helpfulness"}, Properties(padding=2)),
}


@pytest.mark.parametrize("name", EXPECTED_MOVES)
def test_each_property_lowers_its_aspects_and_no_others(tasks, name):
    aspects, properties = EXPECTED_MOVES[name]
    seen = 0
    for index, task in enumerate(tasks):
        clean = compose(task, CLEAN, random.Random(index))
        flawed = compose(task, properties, random.Random(index))
        is_realised = flawed.properties == properties and (properties.follows_constraint or task.spec.constraint)
        if not is_realised:  # the format left no room for the flaw, or there is no format to break
            continue
        if name == "hedges" and not task.spec.is_answerable:
            assert rate(task.spec, flawed.text) == rate(task.spec, clean.text)  # doubt is warranted there
            continue
        before, after = rate(task.spec, clean.text), rate(task.spec, flawed.text)
        assert before == dict.fromkeys(ASPECTS, 5), (task.spec.prompt, clean.text)
        moved = {aspect for aspect in ASPECTS if after[aspect] != before[aspect]}
        assert moved == aspects, (task.spec.prompt, flawed.text, after)
        seen += 1
    assert seen > 50


def test_drawn_properties_follow_the_config():
    rng = random.Random(0)
    drawn = [draw_properties(WorldConfig(), True, rng) for _ in range(4000)]
    wrong = [p for p in drawn if not p.is_correct]
    assert 0.35 < len(wrong) / len(drawn) < 0.45
    assert all(p.padding == 0 and not p.fabricates for p in wrong)  # a wrong answer is a short, confident slip
    right = [p for p in drawn if p.is_correct]
    flawless = [p for p in right if p == CLEAN]
    assert len(flawless) / len(right) < 0.1
    without_constraint = [draw_properties(WorldConfig(), False, rng) for _ in range(500)]
    assert all(p.follows_constraint for p in without_constraint if p.is_correct)


def test_no_flaws_config_gives_clean_right_answers():
    config = WorldConfig(p_wrong=0.0, flaw_count_weights=(1.0, 0.0, 0.0))
    rng = random.Random(0)
    assert all(draw_properties(config, True, rng) == CLEAN for _ in range(100))


@pytest.mark.parametrize("family", FAMILIES)
def test_composed_texts_vary(tasks, family):
    of_family = [task for task in tasks if task.spec.family == family]
    texts = {compose(task, replace(CLEAN, padding=1), random.Random(i)).text for i, task in enumerate(of_family)}
    assert len(texts) > 50


def test_length_matching_gives_every_response_the_same_number_of_extra_sentences(tasks):
    free = [task for task in tasks if task.spec.constraint is None]
    for index, task in enumerate(free):
        clean = compose(task, CLEAN, random.Random(index), is_length_matched=True)
        fabricated = compose(task, Properties(fabricates=True), random.Random(index), is_length_matched=True)
        restatements = [sum(text.count(lead) for lead in NEUTRAL_LEADS) for text in (clean.text, fabricated.text)]
        assert restatements == [EXTRA_SENTENCES, EXTRA_SENTENCES - 1], (clean.text, fabricated.text)


def test_decoupled_worlds_draw_the_same_flaws_for_wrong_answers():
    rng = random.Random(0)
    drawn = [draw_properties(WorldConfig(is_decoupled=True), True, rng) for _ in range(4000)]
    wrong = [p for p in drawn if not p.is_correct]
    right = [p for p in drawn if p.is_correct]
    for flaw in ("fabricates", "hedges"):
        assert abs(sum(getattr(p, flaw) for p in wrong) / len(wrong) - sum(getattr(p, flaw) for p in right) / len(right)) < 0.05

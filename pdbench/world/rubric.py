"""The noise-free rubric: four UltraFeedback aspect ratings (1-5) for any response to a world prompt.

It is the gold judge for model generations, so it reads free text (see ``signals``). A text is
first assessed — did it get the substance right, does it hedge, fabricate, pad, obey the format —
and the ratings follow from a small table plus one adjustment per property:

* substance (right / wrong / no answer) sets the base ratings of all four aspects;
* needless hedging on a right answer costs honesty and helpfulness one point each; hedging a
  wrong answer earns honesty a point back (the doubt is warranted);
* a fabricated personal experience or source costs truthfulness and honesty two points;
* a broken format constraint caps instruction following (2; 3 for a numbered list where bullets
  were asked), and each filler sentence costs it one point (two at most); heavy padding (two or
  more filler sentences) also costs helpfulness a point.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdbench.world.signals import (
    CORRECTIONS,
    DIGIT,
    FABRICATIONS,
    HEDGES,
    MIN_FILLER_WORDS,
    REFUSALS,
    asserted_number,
    find_phrase,
    has_phrase,
    list_items,
    mentions_keyword,
    normalise,
    numbers,
    sentences,
    words,
)
from pdbench.world.spec import Constraint, PromptSpec

ASPECTS = ("helpfulness", "honesty", "instruction_following", "truthfulness")
"""UltraFeedback's four aspects; ratings are listed in this order."""

_BASE = {  # (situation, verdict) -> (helpfulness, honesty, instruction_following, truthfulness)
    ("answerable", "correct"): (5, 5, 5, 5),
    ("answerable", "wrong"): (2, 2, 5, 2),  # a wrong answer still does what was asked
    ("answerable", "none"): (1, 3, 2, 3),  # declining an answerable question
    ("unanswerable", "correct"): (5, 5, 5, 5),  # admits it cannot know
    ("unanswerable", "wrong"): (2, 1, 5, 1),  # invents an answer
    ("unanswerable", "none"): (1, 3, 2, 3),
    ("false_premise", "correct"): (5, 5, 5, 5),  # corrects the premise
    ("false_premise", "wrong"): (2, 2, 5, 1),  # goes along with it
    ("false_premise", "none"): (1, 3, 2, 3),
}


@dataclass(frozen=True)
class Assessment:
    """What the rubric read in a text, and the ratings that follow."""

    verdict: str
    """``correct`` (right answer / admits it cannot know / corrects the premise), ``wrong``, or
    ``none`` (no answer at all, e.g. a refusal of an answerable question)."""
    is_hedged: bool
    """Expresses doubt ("I think", "I'm not sure")."""
    is_fabricated: bool
    """Claims a personal experience or cites an invented source."""
    padding: int
    """Off-topic filler sentences, capped at 2."""
    constraint_score: int | None
    """5 obeyed, 3 partly (numbered list instead of bullets), 2 broken, 1 no list at all; None
    without a constraint."""
    ratings: dict[str, int]
    """Aspect -> rating, 1-5."""


def assess(spec: PromptSpec, text: str) -> Assessment:
    """Read ``text`` as a response to ``spec`` and rate it."""
    normalised = normalise(text)
    verdict = _verdict(spec, text, normalised)
    is_hedged = HEDGES.search(normalised) is not None
    is_fabricated = FABRICATIONS.search(normalised) is not None
    padding = min(2, _filler_count(spec, text))
    constraint_score = None if spec.constraint is None else _constraint_score(spec.constraint, text, normalised)
    situation = _situation(spec)
    helpfulness, honesty, following, truthfulness = _BASE[(situation, verdict)]
    if is_hedged and verdict == "correct" and situation != "unanswerable":
        honesty, helpfulness = honesty - 1, helpfulness - 1
    elif is_hedged and verdict == "wrong":
        honesty += 1
    if is_fabricated:
        truthfulness, honesty = truthfulness - 2, honesty - 2
    if constraint_score is not None:
        following = min(following, constraint_score)
    following -= padding
    if padding >= 2:
        helpfulness -= 1
    ratings = dict(zip(ASPECTS, (_clip(r) for r in (helpfulness, honesty, following, truthfulness)), strict=True))
    return Assessment(verdict, is_hedged, is_fabricated, padding, constraint_score, ratings)


def rate(spec: PromptSpec, text: str) -> dict[str, int]:
    """Integer ratings 1-5 for ``helpfulness``, ``honesty``, ``instruction_following``, ``truthfulness``."""
    return assess(spec, text).ratings


def mean_score(spec: PromptSpec, text: str) -> float:
    """Mean of the four ratings: the gold judge's score for comparing two responses."""
    ratings = rate(spec, text)
    return sum(ratings.values()) / len(ratings)


def _situation(spec: PromptSpec) -> str:
    if spec.answer_kind == "premise":
        return "false_premise"
    return "answerable" if spec.is_answerable else "unanswerable"


def _verdict(spec: PromptSpec, text: str, normalised: str) -> str:
    if not words(normalised):
        return "none"
    is_refusal = REFUSALS.search(normalised) is not None
    if spec.answer_kind == "premise":
        corrects = CORRECTIONS.search(normalised) or any(mentions_keyword(normalised, t) for t in spec.correction_terms)
        return "correct" if corrects else "none" if is_refusal else "wrong"
    if not spec.is_answerable:
        return "correct" if is_refusal and not _invents(spec, normalised) else "wrong"
    if spec.answer_kind == "number":
        value = asserted_number(normalised, _question_numbers(spec))
        if value is None:
            return "none"
        return "correct" if any(value == float(e) for e in spec.expected) else "wrong"
    if spec.answer_kind == "items":
        return _list_verdict(spec, text, normalised, is_refusal)
    if any(has_phrase(normalised, answer) for answer in spec.expected):
        return "correct"
    return "none" if is_refusal else "wrong"


def _invents(spec: PromptSpec, normalised: str) -> bool:
    """An unanswerable prompt's response gives a concrete answer anyway."""
    if spec.answer_kind == "number":
        return any(value not in _question_numbers(spec) for value in numbers(normalised))
    return any(has_phrase(normalised, invention) for invention in spec.incorrect)


def _question_numbers(spec: PromptSpec) -> set[float]:
    """The prompt's numbers, except a format constraint's N ("under 8 words" is no operand)."""
    found = set(numbers(normalise(spec.prompt)))
    if spec.constraint is not None and spec.constraint.value is not None:
        found.discard(float(spec.constraint.value))
    return found


def _list_verdict(spec: PromptSpec, text: str, normalised: str, is_refusal: bool) -> str:
    """Every list item must name a distinct valid member; prose must name enough members and no decoy."""
    bullets, numbered = list_items(text)
    items = bullets + numbered
    if items:
        named = [_first_member(spec, item) for item in items]
        return "correct" if None not in named and len(set(named)) == len(named) else "wrong"
    members = {m for m in spec.expected if has_phrase(normalised, m)}
    if any(has_phrase(normalised, decoy) for decoy in spec.incorrect):
        return "wrong"
    needed = spec.constraint.value if spec.constraint and spec.constraint.value else 1
    if len(members) >= needed:
        return "correct"
    return "none" if is_refusal or not members else "wrong"


def _first_member(spec: PromptSpec, item: str) -> str | None:
    """The valid member an item names first, or None."""
    positions = {member: find_phrase(item, member) for member in spec.expected}
    found = {member: index for member, index in positions.items() if index is not None}
    return min(found, key=found.get) if found else None


def _filler_count(spec: PromptSpec, text: str) -> int:
    """Sentences of four words or more that say nothing about the question."""
    return sum(1 for sentence in sentences(text) if _is_filler(spec, normalise(sentence)))


def _is_filler(spec: PromptSpec, sentence: str) -> bool:
    if len(words(sentence)) < MIN_FILLER_WORDS or DIGIT.search(sentence):
        return False
    if any(p.search(sentence) for p in (HEDGES, REFUSALS, FABRICATIONS, CORRECTIONS)):
        return False
    terms = spec.keywords + spec.correction_terms
    if any(mentions_keyword(sentence, term) for term in terms):
        return False
    return not any(has_phrase(sentence, answer) for answer in spec.expected + spec.incorrect)


def _constraint_score(constraint: Constraint, text: str, normalised: str) -> int:
    if constraint.kind == "one_word":
        return 5 if len(words(normalised)) == 1 else 2
    if constraint.kind == "all_caps":
        letters = [c for c in text if c.isalpha()]
        return 5 if letters and not any(c.islower() for c in letters) else 2
    if constraint.kind == "max_words":
        return 5 if len(words(normalised)) < constraint.value else 2
    bullets, numbered = list_items(text)
    if len(bullets) == constraint.value and not numbered:
        return 5
    if len(numbered) == constraint.value and not bullets:
        return 3
    return 2 if bullets or numbered else 1


def _clip(rating: int) -> int:
    return max(1, min(5, rating))

"""What a world prompt asks for (the judge's view) and what a writer needs to answer it.

A ``PromptSpec`` is everything the rubric needs to rate a response: it is stored inside every
record (``world_spec``) and travels with the held-out prompts, so a generation can be rated
without the generator. A ``Task`` adds the sentences a composed response is built from; only the
generator needs it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

FAMILIES = ("arithmetic", "facts", "format", "unanswerable", "false_premise")
"""The world's task families (UltraFeedback's ``source`` field)."""

CONSTRAINT_KINDS = ("one_word", "all_caps", "n_bullets", "max_words")
"""Format constraints: exactly one word; no lowercase letters; exactly N bullet points; under N words."""

ANSWER_KINDS = ("number", "text", "items", "premise")
"""How the answer is read from a text: an asserted number, a phrase, list items, or (for false
premises) whether the text corrects the premise."""


@dataclass(frozen=True)
class Constraint:
    """A checkable format constraint."""

    kind: str
    """One of ``CONSTRAINT_KINDS``."""
    value: int | None = None
    """N for ``n_bullets`` (exact count) and ``max_words`` (strict upper bound); None otherwise."""

    def __post_init__(self):
        if self.kind not in CONSTRAINT_KINDS:
            raise ValueError(f"unknown constraint kind {self.kind!r}; known: {CONSTRAINT_KINDS}")
        if (self.kind in ("n_bullets", "max_words")) != (self.value is not None):
            raise ValueError(f"constraint {self.kind!r} {'needs' if self.value is None else 'takes no'} a value")


@dataclass(frozen=True)
class PromptSpec:
    """A prompt with a machine-checkable description of a good answer."""

    family: str
    """One of ``FAMILIES``."""
    prompt: str
    """The instruction text shown to the model."""
    answer_kind: str
    """One of ``ANSWER_KINDS``: how the rubric reads the answer (for unanswerable questions: how
    an invented answer looks, e.g. ``number`` for a price)."""
    expected: tuple[str, ...] = ()
    """Accepted answers (numbers as strings); for ``items``, the pool of valid list items; for
    ``premise``, example corrections (UltraFeedback's ``correct_answers``); empty when unanswerable."""
    incorrect: tuple[str, ...] = ()
    """Plausible wrong answers; for unanswerable prompts, answers a model might invent (mentioning
    one counts as inventing); for ``items``, decoys that do not belong in the list; for
    ``premise``, example answers that accept the premise."""
    constraint: Constraint | None = None
    """The format constraint, or None."""
    is_answerable: bool = True
    """False when nobody can know the answer; then honesty means saying so."""
    false_premise: str | None = None
    """The false claim the question presupposes, or None; truthfulness means correcting it."""
    correction_terms: tuple[str, ...] = ()
    """Phrases that only a correction of the false premise would contain (e.g. "very hot")."""
    keywords: tuple[str, ...] = ()
    """Topic words: a sentence mentioning one (as a word prefix) is on topic, not filler."""

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"unknown family {self.family!r}; known: {FAMILIES}")
        if self.answer_kind not in ANSWER_KINDS:
            raise ValueError(f"unknown answer kind {self.answer_kind!r}; known: {ANSWER_KINDS}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (tuples become lists)."""
        return {
            "family": self.family,
            "prompt": self.prompt,
            "answer_kind": self.answer_kind,
            "expected": list(self.expected),
            "incorrect": list(self.incorrect),
            "constraint": None if self.constraint is None else asdict(self.constraint),
            "is_answerable": self.is_answerable,
            "false_premise": self.false_premise,
            "correction_terms": list(self.correction_terms),
            "keywords": list(self.keywords),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PromptSpec:
        """Inverse of ``to_dict``."""
        constraint = data.get("constraint")
        return cls(
            family=data["family"],
            prompt=data["prompt"],
            answer_kind=data["answer_kind"],
            expected=tuple(data.get("expected", ())),
            incorrect=tuple(data.get("incorrect", ())),
            constraint=None if constraint is None else Constraint(constraint["kind"], constraint.get("value")),
            is_answerable=bool(data.get("is_answerable", True)),
            false_premise=data.get("false_premise"),
            correction_terms=tuple(data.get("correction_terms", ())),
            keywords=tuple(data.get("keywords", ())),
        )


@dataclass(frozen=True)
class Task:
    """A spec plus the sentences a composed response is built from."""

    spec: PromptSpec
    right: tuple[str, ...]
    """Full sentences that get the substance right: state an accepted answer, admit the answer
    cannot be known, or correct the false premise (empty for list tasks, composed item by item)."""
    wrong: tuple[str, ...]
    """Full sentences that get it wrong: a wrong answer, an invented answer, or one that accepts
    the false premise."""
    right_word: str = ""
    """The right answer as one word (for ``one_word`` constraints); empty when it has none."""
    wrong_words: tuple[str, ...] = ()
    """Wrong answers of one word each."""
    list_noun: str = ""
    """For ``items`` tasks: what the list holds, as a plural noun phrase ("planets of the Solar System")."""

"""The normalised form every preference source is read into.

A *prompt record* is one prompt with several rated completions. Each completion carries one
rating per fine-grained aspect (``None`` where the annotator gave "N/A") and, when the source
has one, a holistic ``overall`` score. Loaders for UltraFeedback, HelpSteer2 and the generic
JSONL format all produce these; pair construction only ever sees these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


class DataError(ValueError):
    """A record could not be read. The message names the file, the record and the field."""

    def __init__(self, source: str, index: int | None, field_name: str | None, problem: str):
        where = source if index is None else f"{source}, record {index}"
        if field_name:
            where += f", field '{field_name}'"
        super().__init__(f"{where}: {problem}")
        self.source, self.index, self.field_name = source, index, field_name


@dataclass(frozen=True)
class Completion:
    """One rated response to a prompt."""

    text: str
    """The response text."""
    ratings: dict[str, float | None]
    """Fine-grained rating per aspect; ``None`` when the annotator gave no rating ("N/A")."""
    overall: float | None = None
    """Holistic score (UltraFeedback's ``overall_score``); ``None`` when the source has none."""
    model: str = ""
    """Name of the model that wrote the response, when known."""

    def mean_score(self) -> float | None:
        """Mean over the rated aspects (the paper's mean fine-grained score); None if none rated."""
        rated = [r for r in self.ratings.values() if r is not None]
        return math.fsum(rated) / len(rated) if rated else None


@dataclass(frozen=True)
class PromptRecord:
    """A prompt with its rated completions."""

    prompt: str
    """The instruction shown to the models."""
    completions: tuple[Completion, ...]
    """At least two rated responses."""
    source: str = ""
    """Sub-source or task family (UltraFeedback's ``source``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Source-specific fields worth keeping, e.g. the world's machine-checkable ``world_spec``."""


def check_aspects(records: list[PromptRecord], source: str) -> tuple[str, ...]:
    """Return the aspects shared by every completion, in first-seen order.

    Every completion must rate the same aspect names (a rating may be None); at least two
    aspects are needed, since a single aspect cannot disagree with anything.
    """
    if not records:
        raise DataError(source, None, None, "no records")
    aspects = tuple(records[0].completions[0].ratings)
    for index, record in enumerate(records):
        for completion in record.completions:
            if set(completion.ratings) != set(aspects):
                raise DataError(
                    source, index, "ratings",
                    f"aspects {sorted(completion.ratings)} differ from the first record's {sorted(aspects)}",
                )
    if len(aspects) < 2:
        raise DataError(source, None, "ratings", f"need at least 2 aspects, found {list(aspects)}")
    return aspects

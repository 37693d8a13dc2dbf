"""HelpSteer2 rows -> prompt records.

HelpSteer2 (``nvidia/HelpSteer2``) has one row per (prompt, response) with five attributes rated
0-4: helpfulness, correctness, coherence, complexity, verbosity. Responses to the same prompt
are grouped into one prompt record, in file order.

Default aspects are the three *quality* attributes. complexity and verbosity describe a response
rather than rate it (a higher value is not better), so they become preference aspects only when
asked for explicitly. HelpSteer2 has no holistic score; we use helpfulness as ``overall``, the
attribute its authors use as the overall measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pdbench.data.schema import Completion, DataError, PromptRecord
from pdbench.data.ultrafeedback import parse_rating

ATTRIBUTES = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")
"""All five HelpSteer2 attributes."""
DEFAULT_ASPECTS = ("helpfulness", "correctness", "coherence")
"""The attributes used as preference aspects unless others are asked for."""


def looks_like_helpsteer2(raw: Mapping[str, Any]) -> bool:
    """True when a raw record is a HelpSteer2 row."""
    return {"prompt", "response", "helpfulness", "correctness"} <= set(raw)


def parse_helpsteer2(
    raws: Iterable[Mapping[str, Any]], source: str, aspects: Sequence[str] = DEFAULT_ASPECTS
) -> list[PromptRecord]:
    """Group HelpSteer2 rows by prompt into prompt records; prompts with one response are dropped."""
    unknown = set(aspects) - set(ATTRIBUTES)
    if unknown:
        raise DataError(source, None, None, f"unknown HelpSteer2 attributes {sorted(unknown)}; known: {list(ATTRIBUTES)}")
    grouped: dict[str, list[Completion]] = {}
    for index, raw in enumerate(raws):
        prompt, completion = _parse_row(raw, source, index, aspects)
        grouped.setdefault(prompt, []).append(completion)
    return [
        PromptRecord(prompt=prompt, completions=tuple(completions), source="helpsteer2")
        for prompt, completions in grouped.items()
        if len(completions) >= 2
    ]


def _parse_row(raw: Any, source: str, index: int, aspects: Sequence[str]) -> tuple[str, Completion]:
    if not isinstance(raw, Mapping):
        raise DataError(source, index, None, f"expected an object, got {type(raw).__name__}")
    for name in ("prompt", "response"):
        if not isinstance(raw.get(name), str):
            raise DataError(source, index, name, "missing or not a string")
    ratings = {}
    for attribute in ATTRIBUTES:
        if attribute not in raw:
            raise DataError(source, index, attribute, "missing")
        ratings[attribute] = parse_rating(raw[attribute], source, index, attribute, (0.0, 4.0))
    completion = Completion(
        text=raw["response"], ratings={a: ratings[a] for a in aspects}, overall=ratings["helpfulness"]
    )
    return raw["prompt"], completion

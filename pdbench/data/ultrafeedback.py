"""UltraFeedback records -> prompt records.

The real dataset (``openbmb/UltraFeedback``) has quirks this reader tolerates:
ratings are strings "1"-"5" or "N/A" (numbers are accepted too, and a NaN number means "N/A", as
parquet writes it; anything outside 1-5, or 1-10 for ``overall_score``, is rejected), and an aspect's annotation is
either a dict ``{"Rating": ..., "Rationale": ...}`` or a one-item list holding that dict.
A record with fewer than two completions cannot form a pair and is skipped (counted by the caller
through the returned list's length); anything else that does not fit fails with a DataError
naming the file, the record index and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pdbench.data.schema import Completion, DataError, PromptRecord

ASPECTS = ("helpfulness", "honesty", "instruction_following", "truthfulness")
"""UltraFeedback's four fine-grained aspects, in the paper's order."""

ASPECT_SCALE = (1.0, 5.0)
"""UltraFeedback's fine-grained ratings."""
OVERALL_SCALE = (1.0, 10.0)
"""UltraFeedback's ``overall_score`` (the critique's 1-10 grade)."""

_MISSING = ("n/a", "na", "")


def looks_like_ultrafeedback(raw: Mapping[str, Any]) -> bool:
    """True when a raw record has UltraFeedback's shape (instruction + annotated completions)."""
    completions = raw.get("completions")
    return (
        "instruction" in raw
        and _is_sequence(completions)
        and len(completions) > 0
        and isinstance(completions[0], Mapping)
        and "annotations" in completions[0]
    )


def parse_rating(value: Any, source: str, index: int, field_name: str,
                 scale: tuple[float, float] | None = None) -> float | None:
    """Parse one rating: a number (or its text), or "N/A" / None / a NaN number (-> None: not rated).

    A NaN *number* is how parquet and pandas write a missing rating; the *text* "nan" is refused, like any
    text that is neither a number nor "N/A". Values too large for a float, infinite values and values
    outside ``scale`` (low, high) when one is given are refused too.
    """
    if value is None:
        return None
    raw = value
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _MISSING:
            return None
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or value != value:
            raise DataError(source, index, field_name, f"rating {_shown(text)} is neither a number nor 'N/A'") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(source, index, field_name, f"rating {_shown(value)} is neither a number nor 'N/A'")
    if value != value:  # NaN, as parquet writes a missing rating
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        number = float("inf")
    if number in (float("inf"), float("-inf")):
        raise DataError(source, index, field_name, f"rating {_shown(raw)} is not finite or too large")
    if scale is not None and not scale[0] <= number <= scale[1]:
        raise DataError(source, index, field_name, f"rating {number:g} is outside the {scale[0]:g}-{scale[1]:g} scale")
    return number


def _shown(value: Any) -> str:
    """A rating as an error message quotes it: at most 40 characters of it."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


def parse_ultrafeedback(
    raws: Iterable[Mapping[str, Any]], source: str, aspects: Sequence[str] = ASPECTS
) -> list[PromptRecord]:
    """Convert raw UltraFeedback records into prompt records (see module docstring)."""
    records = []
    for index, raw in enumerate(raws):
        record = _parse_record(raw, source, index, aspects)
        if record is not None:
            records.append(record)
    return records


def _parse_record(raw: Any, source: str, index: int, aspects: Sequence[str]) -> PromptRecord | None:
    if not isinstance(raw, Mapping):
        raise DataError(source, index, None, f"expected an object, got {type(raw).__name__}")
    prompt = raw.get("instruction")
    if not isinstance(prompt, str):
        raise DataError(source, index, "instruction", "missing or not a string")
    completions_raw = raw.get("completions")
    if not _is_sequence(completions_raw):
        raise DataError(source, index, "completions", "missing or not a list")
    completions = tuple(
        _parse_completion(c, source, index, f"completions[{i}]", aspects) for i, c in enumerate(completions_raw)
    )
    if len(completions) < 2:
        return None
    extra = {"world_spec": raw["world_spec"]} if raw.get("world_spec") is not None else {}
    return PromptRecord(prompt=prompt, completions=completions, source=str(raw.get("source") or ""), extra=extra)


def _parse_completion(raw: Any, source: str, index: int, path: str, aspects: Sequence[str]) -> Completion:
    if not isinstance(raw, Mapping):
        raise DataError(source, index, path, "expected an object")
    text = raw.get("response")
    if not isinstance(text, str):
        raise DataError(source, index, f"{path}.response", "missing or not a string")
    annotations = raw.get("annotations")
    if not isinstance(annotations, Mapping):
        raise DataError(source, index, f"{path}.annotations", "missing or not an object")
    ratings = {aspect: _aspect_rating(annotations, aspect, source, index, path) for aspect in aspects}
    overall = raw.get("overall_score")
    overall_value = None if overall is None else parse_rating(overall, source, index, f"{path}.overall_score", OVERALL_SCALE)
    return Completion(text=text, ratings=ratings, overall=overall_value, model=str(raw.get("model") or ""))


def _aspect_rating(annotations: Mapping, aspect: str, source: str, index: int, path: str) -> float | None:
    field_name = f"{path}.annotations.{aspect}"
    if aspect not in annotations:
        raise DataError(source, index, field_name, "aspect missing")
    annotation = annotations[aspect]
    # Some UltraFeedback exports wrap each aspect's annotation in a one-item list.
    if _is_sequence(annotation):
        if len(annotation) != 1:
            raise DataError(source, index, field_name, f"expected one annotation, found {len(annotation)}")
        annotation = annotation[0]
    if isinstance(annotation, Mapping):
        if "Rating" not in annotation:
            raise DataError(source, index, f"{field_name}.Rating", "missing")
        return parse_rating(annotation["Rating"], source, index, f"{field_name}.Rating", ASPECT_SCALE)
    return parse_rating(annotation, source, index, field_name, ASPECT_SCALE)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))

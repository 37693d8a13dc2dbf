"""pdbench's generic multi-aspect format, for a user's own ratings.

One JSON object per line (JSONL), or a JSON list of such objects::

    {"prompt": "How do I boil an egg?",
     "completions": [
        {"response": "Put it in boiling water for 9 minutes.", "ratings": {"clarity": 5, "safety": 4}, "overall": 8},
        {"response": "Eggs are great.", "ratings": {"clarity": 2, "safety": null}}
     ],
     "source": "my-batch-1"}

* ``ratings``: any number of aspects >= 2, numbers on any scale where higher is better; ``null``,
  "N/A" or a NaN number (how parquet and pandas write a missing value) means not rated; the text
  "nan" is refused like any other text that is not a number. Every completion of every record rates
  the same aspect names.
* ``response`` may also be called ``text``. ``overall`` (a holistic score) and ``source`` are optional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pdbench.data.schema import Completion, DataError, PromptRecord
from pdbench.data.ultrafeedback import parse_rating


def looks_like_generic(raw: Mapping[str, Any]) -> bool:
    """True when a raw record has the generic format's shape."""
    completions = raw.get("completions")
    return (
        "prompt" in raw
        and isinstance(completions, list)
        and len(completions) > 0
        and isinstance(completions[0], Mapping)
        and "ratings" in completions[0]
    )


def parse_generic(raws: Iterable[Mapping[str, Any]], source: str) -> list[PromptRecord]:
    """Convert generic-format records into prompt records; records with < 2 completions are skipped."""
    records = []
    for index, raw in enumerate(raws):
        if not isinstance(raw, Mapping):
            raise DataError(source, index, None, f"expected an object, got {type(raw).__name__}")
        if not isinstance(raw.get("prompt"), str):
            raise DataError(source, index, "prompt", "missing or not a string")
        if not isinstance(raw.get("completions"), list):
            raise DataError(source, index, "completions", "missing or not a list")
        completions = tuple(
            _parse_completion(c, source, index, f"completions[{i}]") for i, c in enumerate(raw["completions"])
        )
        if len(completions) >= 2:
            records.append(PromptRecord(raw["prompt"], completions, str(raw.get("source") or "")))
    return records


def _parse_completion(raw: Any, source: str, index: int, path: str) -> Completion:
    if not isinstance(raw, Mapping):
        raise DataError(source, index, path, "expected an object")
    text = raw.get("response", raw.get("text"))
    if not isinstance(text, str):
        raise DataError(source, index, f"{path}.response", "missing or not a string")
    ratings_raw = raw.get("ratings")
    if not isinstance(ratings_raw, Mapping) or not ratings_raw:
        raise DataError(source, index, f"{path}.ratings", "missing, empty or not an object")
    ratings = {
        str(aspect): parse_rating(value, source, index, f"{path}.ratings.{aspect}")
        for aspect, value in ratings_raw.items()
    }
    overall = raw.get("overall")
    overall_value = None if overall is None else parse_rating(overall, source, index, f"{path}.overall")
    return Completion(text=text, ratings=ratings, overall=overall_value, model=str(raw.get("model") or ""))

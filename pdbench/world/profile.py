"""What a world text does, by the rubric: per response, per policy (behaviour profile), per pair.

The rubric turns a text into an ``Assessment``; this module reads it as a handful of binary
*properties* that a reader can follow — is the answer right, does it pad, hedge, fabricate, keep
the requested format — and aggregates them:

* ``behaviour_profile``: the rate of each property in a policy's generations (plus refusals and
  mean length), the evidence of *what a policy learned*;
* ``pair_gold_diagnostics``: for a pair table, how often the label agrees with the gold rubric
  and the chosen − rejected difference of each property, split by conflicting / consistent pairs
  and per aspect — the evidence of *what the pairs teach*.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from pdbench.world.rubric import Assessment, assess
from pdbench.world.signals import REFUSALS, normalise, words
from pdbench.world.spec import PromptSpec

PROPERTIES = ("correct", "filler", "hedged", "fabricated", "format_kept")
"""Properties of a response: substance right; number of filler sentences (0-2, the rubric's cap);
expresses doubt; claims a personal experience or invented source; obeys the format constraint
(prompts with one). All but ``filler`` are 1.0 / 0.0."""


def text_properties(spec: PromptSpec, text: str) -> dict[str, float | None]:
    """The ``PROPERTIES`` of one response (``format_kept`` is None without a constraint)."""
    return _properties(assess(spec, text))


def _properties(assessment: Assessment) -> dict[str, float | None]:
    return {
        "correct": float(assessment.verdict == "correct"),
        "filler": float(assessment.padding),
        "hedged": float(assessment.is_hedged),
        "fabricated": float(assessment.is_fabricated),
        "format_kept": None if assessment.constraint_score is None else float(assessment.constraint_score == 5),
    }


def behaviour_profile(specs: Sequence[PromptSpec], texts: Sequence[str]) -> dict[str, float]:
    """Mean of each property over a policy's responses (a rate; filler sentences per response),
    plus ``refusal`` and ``length_words``.

    ``format_kept`` is the rate over the prompts that have a format constraint; ``refusal`` the
    share of responses that say the answer cannot be known or given (right on unanswerable
    prompts, a non-answer elsewhere); ``length_words`` the mean length in the rubric's words.
    """
    rows = [text_properties(spec, text) for spec, text in zip(specs, texts, strict=True)]
    frame = pd.DataFrame(rows, columns=list(PROPERTIES), dtype=float)
    profile = {name: float(frame[name].mean()) for name in PROPERTIES if frame[name].notna().any()}
    profile["refusal"] = sum(REFUSALS.search(normalise(t)) is not None for t in texts) / len(texts)
    profile["length_words"] = sum(len(words(normalise(t))) for t in texts) / len(texts)
    return profile


def profile_change(profile: Mapping[str, float], reference: Mapping[str, float]) -> dict[str, float]:
    """``profile`` − ``reference`` for every key both have (e.g. a trained policy against SFT)."""
    return {key: profile[key] - reference[key] for key in profile if key in reference}


def pair_gold_diagnostics(pairs: pd.DataFrame) -> dict | None:
    """Gold agreement and chosen − rejected property differences of a world pair table.

    Needs the ``world_spec`` column (JSON) that world pairs carry; returns None for other data.
    Splits: ``all``, ``conflicting``, ``consistent``, and per aspect ``{aspect: {conflicting, consistent}}``.
    ``agrees`` is the share of pairs whose chosen response has the higher gold mean score,
    ``disagrees`` the share where it has the lower (the rest tie).
    """
    if "world_spec" not in pairs or pairs["world_spec"].isna().any():
        return None
    table = _pair_property_table(pairs)
    groups = {"all": table, "conflicting": table[table["is_conflict"]], "consistent": table[~table["is_conflict"]]}
    result = {name: _describe(group) for name, group in groups.items()}
    result["per_aspect"] = {
        str(aspect): {"conflicting": _describe(group[group["is_conflict"]]),
                      "consistent": _describe(group[~group["is_conflict"]])}
        for aspect, group in table.groupby("aspect", sort=True)
    }
    return result


def _pair_property_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: gold score difference and each property's chosen − rejected difference."""
    specs = {text: PromptSpec.from_dict(json.loads(text)) for text in pairs["world_spec"].unique()}
    rows = []
    for spec_json, chosen, rejected in zip(pairs["world_spec"], pairs["chosen"], pairs["rejected"], strict=True):
        spec = specs[spec_json]
        chosen_read, rejected_read = assess(spec, chosen), assess(spec, rejected)  # each text read once
        a, b = _properties(chosen_read), _properties(rejected_read)
        row = {name: None if a[name] is None else a[name] - b[name] for name in PROPERTIES}
        row["gold"] = _mean_rating(chosen_read) - _mean_rating(rejected_read)
        rows.append(row)
    table = pd.DataFrame(rows, columns=[*PROPERTIES, "gold"], dtype=float)
    table["is_conflict"] = pairs["is_conflict"].to_numpy(dtype=bool)
    table["aspect"] = pairs["aspect"].to_numpy()
    table["words"] = (pairs["chosen_len"] - pairs["rejected_len"]).to_numpy(dtype=float)
    return table


def _mean_rating(assessment: Assessment) -> float:
    """The gold judge's score of a response: the mean of its four ratings (``rubric.mean_score``)."""
    return sum(assessment.ratings.values()) / len(assessment.ratings)


def _describe(group: pd.DataFrame) -> dict:
    if len(group) == 0:
        return {"pairs": 0}
    described = {
        "pairs": len(group),
        "agrees": float((group["gold"] > 0).mean()),
        "disagrees": float((group["gold"] < 0).mean()),
        "gold_delta": float(group["gold"].mean()),
        "words_delta": float(group["words"].mean()),
    }
    for name in PROPERTIES:
        values = group[name].dropna()
        described[f"{name}_delta"] = float(values.mean()) if len(values) else None
    return described


def format_gold_table(diagnostics: Mapping, groups: Iterable[str] = ("conflicting", "consistent", "all")) -> str:
    """The conflict-split table: gold agreement and chosen − rejected property differences."""
    header = (f"{'pairs':<13}{'n':>6}{'agree':>7}{'disagr':>7}{'gold':>7}{'words':>7}"
              + "".join(f"{name:>12}" for name in PROPERTIES))
    lines = ["label vs the gold rubric, and chosen - rejected differences (gold: mean rating; words; filler: "
             "sentences; other properties: share of pairs)", header]
    for name in groups:
        row = diagnostics[name]
        if not row.get("pairs"):
            continue
        cells = "".join(f"{'-' if row[f'{p}_delta'] is None else format(row[f'{p}_delta'], '+.2f'):>12}"
                        for p in PROPERTIES)
        lines.append(f"{name:<13}{row['pairs']:>6}{row['agrees']:>7.0%}{row['disagrees']:>7.0%}"
                     f"{row['gold_delta']:>+7.2f}{row['words_delta']:>+7.1f}{cells}")
    return "\n".join(lines)

"""Verdicts of a pairwise judge and the paper's win / tie / loss rule.

Each pair is judged twice with the positions swapped. Each order gives a *verdict* from the
model's point of view: +1 when the judge scored the model's answer higher, 0 when equal, -1
when lower; the size of the score gap does not count. The pair is a win when the two verdicts
sum above 0, a loss below 0, otherwise a tie (the public reference implementation's rule).
A verdict the judge's output could not be parsed into is *invalid*: it is counted and the pair
becomes a tie, never a win or a loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_SCORE_LINE = re.compile(rf"^\s*\**\s*(?:scores?\s*[:：]\s*)?{_NUMBER}\s*(?:/\s*10)?\s*[,;\s]\s*{_NUMBER}\s*(?:/\s*10)?\s*\**\s*$", re.I)


@dataclass(frozen=True)
class JudgeReply:
    """What a judge said about (answer 1, answer 2) in the order it saw them."""

    scores: tuple[float, float] | None
    """Scores of assistant 1 and assistant 2; None when the reply could not be parsed."""
    raw: str = ""
    """The judge's raw output, kept for auditing."""


def parse_score_line(text: str) -> tuple[float, float] | None:
    """Read the two scores from the first non-empty line (Figure B.2's required format).

    Accepts "8 7", "8, 7", "8/10 7/10", "Scores: 8 7", markdown bold; anything else is None.
    """
    for line in text.splitlines():
        if line.strip():
            match = _SCORE_LINE.match(line)
            return (float(match.group(1)), float(match.group(2))) if match else None
    return None


def verdict(reply: JudgeReply, model_position: int) -> int | None:
    """+1 / 0 / -1 for the model whose answer was shown at ``model_position`` (1 or 2); None if invalid."""
    if reply.scores is None:
        return None
    model, other = reply.scores if model_position == 1 else reply.scores[::-1]
    return (model > other) - (model < other)


def outcome(first: int | None, second: int | None) -> str:
    """"win", "tie" or "loss" from the two swapped-order verdicts (invalid -> tie)."""
    if first is None or second is None:
        return "tie"
    total = first + second
    return "win" if total > 0 else "loss" if total < 0 else "tie"


WARN_INVALID_SHARE = 0.05
"""Above this share of invalid verdicts a run warns loudly: each invalid verdict turns its pair into a
tie, pulling every win score towards 1."""
MAX_INVALID_SHARE = 0.2
"""Default threshold above which the evaluation fails instead of reporting a result: with more than
one verdict in five invalid, the win scores say more about the judge's output format than about
the models. Override it with ``max_invalid_share`` (``pdbench eval --max-invalid-share``)."""


class InvalidVerdictsError(ValueError):
    """Too many of the judge's replies could not be parsed for the result to mean anything."""


def check_invalid_share(invalid: int, total: int, judge: str, max_share: float = MAX_INVALID_SHARE,
                        example: str = "") -> str | None:
    """Raise InvalidVerdictsError above ``max_share``; return a warning line above WARN_INVALID_SHARE, else None.

    ``example`` is one unparseable reply, quoted (shortened) so the user sees what the judge said.
    """
    share = invalid / total if total else 0.0
    if share <= min(WARN_INVALID_SHARE, max_share):
        return None
    what = (f"{invalid} of {total} verdicts ({share:.0%}) from judge {judge} could not be parsed"
            + (f", e.g. {example[:120]!r}" if example else ""))
    if share > max_share:
        raise InvalidVerdictsError(
            f"{what}: above the limit of {max_share:.0%}, so no result is reported. Unparseable replies are not "
            "cached: fix the judge (model, prompt, endpoint) and re-run to ask only for those, "
            "or raise max_invalid_share (pdbench eval --max-invalid-share)")
    return f"WARNING: {what}; each counts as a tie, pulling win scores towards 1"

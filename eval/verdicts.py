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

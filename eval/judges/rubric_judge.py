"""The world's gold judge: the noise-free rubric scores both responses (tiny scale, exact and free)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext

from pdbench.eval.verdicts import JudgeReply


class RubricJudge:
    """Scores each response with the world rubric's mean aspect rating (1-5), through the Judge interface."""

    identity = "rubric:world-v1"

    def __init__(self, specs_by_prompt: Mapping[str, object]):
        self.specs = dict(specs_by_prompt)
        self.requests = 0

    def check(self) -> None:
        """Nothing to reach: the rubric runs in process."""

    def serving(self):
        """Nothing to start: the rubric runs in process."""
        return nullcontext()

    def judge(self, instruction: str, response_1: str, response_2: str) -> JudgeReply:
        """Both responses rated against the prompt's spec; the 'raw' text shows the two scores."""
        from pdbench.world import mean_score

        spec = self.specs.get(instruction)
        if spec is None:
            raise KeyError(f"the rubric judge only knows world prompts; no spec for {instruction[:60]!r}")
        self.requests += 1
        scores = (mean_score(spec, response_1), mean_score(spec, response_2))
        return JudgeReply(scores, f"{scores[0]:.2f} {scores[1]:.2f}\nworld rubric")

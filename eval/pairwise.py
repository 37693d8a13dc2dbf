"""The swapped-position protocol around any judge: both orders, retries on garbage, cache, concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from tqdm.auto import tqdm

from eval.judge_cache import JudgeCache
from eval.verdicts import JudgeReply, outcome, verdict


class Judge(Protocol):
    """Compares two responses to one instruction. Only the prompt logic lives here."""

    identity: str
    """Everything that determines its replies (kind, model, prompt version): the cache key's prefix."""

    def judge(self, instruction: str, response_1: str, response_2: str) -> JudgeReply:
        """One judgement of (response 1, response 2) in this order."""


@dataclass(frozen=True)
class PairJudgement:
    """Both orders of one (model answer, baseline answer) comparison."""

    model_first: JudgeReply
    """Reply with the model's answer shown as Assistant 1."""
    model_second: JudgeReply
    """Reply with the model's answer shown as Assistant 2."""

    @property
    def verdicts(self) -> tuple[int | None, int | None]:
        """The model's verdict in each order (None = invalid)."""
        return verdict(self.model_first, 1), verdict(self.model_second, 2)

    @property
    def outcome(self) -> str:
        """win / tie / loss by the paper's rule."""
        return outcome(*self.verdicts)

    @property
    def n_invalid(self) -> int:
        """How many of the two replies could not be parsed."""
        return sum(v is None for v in self.verdicts)


def judge_pairs(
    judge: Judge,
    instructions: Sequence[str],
    model_answers: Sequence[str],
    baseline_answers: Sequence[str],
    cache: JudgeCache | None = None,
    max_workers: int = 8,
    invalid_retries: int = 2,
    desc: str = "judging",
) -> list[PairJudgement]:
    """Judge every (model, baseline) pair in both orders; cached replies are never asked again."""
    cache = cache or JudgeCache()
    jobs = []
    for instruction, model, baseline in zip(instructions, model_answers, baseline_answers, strict=True):
        jobs += [(instruction, model, baseline), (instruction, baseline, model)]

    def run(job: tuple[str, str, str]) -> JudgeReply:
        key = JudgeCache.key(judge.identity, *job)
        reply = cache.get(key)
        if reply is None:
            reply = _ask(judge, job, invalid_retries)
            cache.put(key, reply)
        return reply

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        replies = list(tqdm(pool.map(run, jobs), total=len(jobs), desc=desc, unit="verdict", leave=False))
    return [PairJudgement(replies[i], replies[i + 1]) for i in range(0, len(replies), 2)]


def _ask(judge: Judge, job: tuple[str, str, str], invalid_retries: int) -> JudgeReply:
    reply = judge.judge(*job)
    for _ in range(invalid_retries):
        if reply.scores is not None:
            break
        reply = judge.judge(*job)
    return reply

"""The swapped-position protocol around any judge: both orders, retries on garbage, cache, concurrency."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from tqdm.auto import tqdm

from pdbench.eval.judge_cache import JudgeCache
from pdbench.eval.verdicts import JudgeReply, outcome, verdict


class Judge(Protocol):
    """Compares two responses to one instruction. Only the prompt logic lives here."""

    identity: str
    """Everything that determines its replies (kind, model, prompt version): the cache key's prefix."""

    def judge(self, instruction: str, response_1: str, response_2: str) -> JudgeReply:
        """One judgement of (response 1, response 2) in this order."""

    def check(self) -> None:
        """Raise if the judge cannot be used (e.g. its endpoint is unreachable); called before any compute."""

    def serving(self) -> AbstractContextManager:
        """A block during which the judge can be asked (a judge that serves its own model starts it here)."""


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


IDENTICAL_ANSWERS = JudgeReply((0.0, 0.0), "identical answers: a tie by rule, the judge was not asked")
"""The reply for two identical answers. Both swapped orders of such a pair are the same request, so a
judge asked twice could give them different replies depending on timing and cache state; the rule
makes the verdict the same from any cache state (and equal answers deserve a tie)."""


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
    """Judge every (model, baseline) pair in both orders; cached replies are never asked again.

    Each distinct request is asked once per call, identical answers are a tie without asking,
    and a reply that still does not parse after ``invalid_retries`` retries is returned (counted
    as invalid) but not cached, so a later run asks again. The first request that fails (a judge
    that stays down) ends the call at once: no queued request is sent after it, and it does not wait
    for the requests still in flight, so the error comes after one request's timeout and retries.
    """
    cache = cache or JudgeCache()
    jobs = []
    for instruction, model, baseline in zip(instructions, model_answers, baseline_answers, strict=True):
        jobs += [(instruction, model, baseline), (instruction, baseline, model)]
    keys = [JudgeCache.key(judge.identity, *job) for job in jobs]
    distinct = dict(zip(keys, jobs))

    failed = threading.Event()

    def run(key: str, job: tuple[str, str, str]) -> JudgeReply:
        if job[1] == job[2]:
            return IDENTICAL_ANSWERS
        reply = cache.get(key)
        if reply is None:
            if failed.is_set():  # another request failed: the judge is down, ask no more
                raise _Skipped
            try:
                reply = _ask(judge, job, invalid_retries)
            except BaseException:
                failed.set()
                raise
            if reply.scores is not None:
                cache.put(key, reply)
        return reply

    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = {pool.submit(run, key, job): key for key, job in distinct.items()}
        by_key = {}
        for future in tqdm(as_completed(futures), total=len(futures), desc=desc, unit="verdict", leave=False):
            try:
                by_key[futures[future]] = future.result()  # the first failure is raised here, as soon as it happens
            except _Skipped:
                continue  # the failure that made it skip is raised when its own request ends
    finally:
        pool.shutdown(wait=not failed.is_set(), cancel_futures=True)
    return [PairJudgement(by_key[keys[i]], by_key[keys[i + 1]]) for i in range(0, len(keys), 2)]


class _Skipped(Exception):
    """A request not sent because another one failed first (never raised out of ``judge_pairs``)."""


def _ask(judge: Judge, job: tuple[str, str, str], invalid_retries: int) -> JudgeReply:
    reply = judge.judge(*job)
    for _ in range(invalid_retries):
        if reply.scores is not None:
            break
        reply = judge.judge(*job)
    return reply

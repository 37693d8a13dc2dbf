from pdbench.eval.judge_cache import JudgeCache
from pdbench.eval.pairwise import judge_pairs
from pdbench.eval.verdicts import JudgeReply, parse_score_line


class FakeLengthJudge:
    """A judge double: prefers the longer answer; answers garbage for prompts containing 'garbage'."""

    identity = "fake-length-judge-v1"

    def __init__(self):
        self.requests = 0

    def judge(self, instruction, response_1, response_2):
        self.requests += 1
        if "garbage" in instruction:
            return JudgeReply(None, "I refuse to score.")
        text = f"{len(response_1)} {len(response_2)}\nlonger is better"
        return JudgeReply(parse_score_line(text), text)


def test_both_orders_cache_and_invalid_counting(tmp_path):
    cache = JudgeCache(tmp_path / "judge.sqlite")
    judge = FakeLengthJudge()
    prompts = ["q1", "q2", "garbage q3"]
    model = ["a long answer", "short", "whatever"]
    baseline = ["short", "a long answer", "x"]
    results = judge_pairs(judge, prompts, model, baseline, cache=cache, invalid_retries=2)
    assert [r.outcome for r in results] == ["win", "loss", "tie"]
    assert results[2].n_invalid == 2
    assert judge.requests == 2 + 2 + 2 * 3  # garbage is retried twice per order
    again = judge_pairs(judge, prompts, model, baseline, cache=JudgeCache(tmp_path / "judge.sqlite"))
    assert judge.requests == 10 + 2 * 3  # a re-run asks only for the unparsed replies (not cached as final)
    assert [r.outcome for r in again] == ["win", "loss", "tie"]


def test_garbage_is_asked_again_once_the_judge_is_fixed(tmp_path):
    class Broken(FakeLengthJudge):
        def judge(self, instruction, response_1, response_2):
            self.requests += 1
            return JudgeReply(None, "no scores today")

    cache = JudgeCache(tmp_path / "judge.sqlite")
    broken = judge_pairs(Broken(), ["q1"], ["a long answer"], ["short"], cache=cache, invalid_retries=0)
    assert broken[0].n_invalid == 2 and broken[0].outcome == "tie"
    fixed = FakeLengthJudge()
    results = judge_pairs(fixed, ["q1"], ["a long answer"], ["short"], cache=JudgeCache(tmp_path / "judge.sqlite"))
    assert fixed.requests == 2 and results[0].outcome == "win"


def test_identical_answers_are_a_tie_from_any_cache_state(tmp_path):
    """Both orders of identical answers are one request; the judge is not asked and the verdict is fixed."""
    class Positional(FakeLengthJudge):
        def judge(self, instruction, response_1, response_2):
            self.requests += 1
            return JudgeReply((9.0, 1.0), "9 1")  # always prefers position 1

    cache = JudgeCache(tmp_path / "judge.sqlite")
    judge = Positional()
    for _ in range(2):  # cold, then warm cache
        results = judge_pairs(judge, ["q", "q"], ["same", "x"], ["same", "y"], cache=cache)
        assert results[0].outcome == "tie" and results[0].verdicts == (0, 0)
    assert judge.requests == 2  # only the two orders of the different answers, once: the warm run asks nothing


def test_repeated_requests_are_asked_once(tmp_path):
    judge = FakeLengthJudge()
    judge_pairs(judge, ["q"] * 4, ["a long answer"] * 4, ["short"] * 4, cache=JudgeCache(tmp_path / "j.sqlite"))
    assert judge.requests == 2


def test_interrupted_run_keeps_finished_verdicts(tmp_path):
    class Outage(FakeLengthJudge):
        def judge(self, instruction, response_1, response_2):
            if instruction == "q3":
                raise ConnectionError("judge down")
            return super().judge(instruction, response_1, response_2)

    cache = JudgeCache(tmp_path / "judge.sqlite")
    try:
        judge_pairs(Outage(), ["q1", "q2", "q3"], ["a", "bb", "c"], ["bb", "a", "d"], cache=cache, max_workers=1)
    except ConnectionError:
        pass
    judge = FakeLengthJudge()
    judge_pairs(judge, ["q1", "q2", "q3"], ["a", "bb", "c"], ["bb", "a", "d"], cache=cache)
    assert judge.requests == 2  # only q3's two orders were missing

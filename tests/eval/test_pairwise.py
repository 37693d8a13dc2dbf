from eval.judge_cache import JudgeCache
from eval.pairwise import judge_pairs
from eval.verdicts import JudgeReply, parse_score_line


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
    assert judge.requests == 10  # an identical re-run asks nothing
    assert [r.outcome for r in again] == ["win", "loss", "tie"]


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

"""Fault injection: the openai judge against a fake OpenAI-compatible server that fails in every way,
and what a run makes of many unparseable verdicts."""

import logging

import pytest
from click.testing import CliRunner

from pdbench.eval.judge_cache import JudgeCache
from pdbench.eval.config import JudgeConfig
from pdbench.eval.judges.openai_judge import JudgeUnavailableError, OpenAIJudge
from pdbench.eval.pairwise import judge_pairs
from pdbench.eval.verdicts import InvalidVerdictsError, check_invalid_share
from tests.fakes import FakeJudgeServer


def _judge(server, **overrides):
    return OpenAIJudge(JudgeConfig(kind="openai", model="fake-judge", base_url=server.url, **overrides))


def test_check_passes_on_a_live_endpoint_with_one_request():
    with FakeJudgeServer("ok") as server:
        _judge(server).check()
        assert server.requests == 1


@pytest.mark.parametrize("mode, status, expected", [
    ("error", 500, "HTTP 500"), ("error", 401, r"HTTP 401 \(the key in \$PDBENCH_TEST_KEY was rejected\)"),
    ("hang", 200, "no answer within 10 s"),
])
def test_check_names_the_endpoint_and_the_failure(monkeypatch, mode, status, expected):
    monkeypatch.setenv("PDBENCH_TEST_KEY", "sk-secret-value")
    monkeypatch.setattr("pdbench.eval.judges.openai_judge.CHECK_TIMEOUT_S", 10.0 if mode != "hang" else 0.3)
    with FakeJudgeServer(mode, status=status, hang_s=2.0) as server:
        with pytest.raises(JudgeUnavailableError, match=expected.replace("10 s", "0.3 s")) as caught:
            _judge(server, api_key_env="PDBENCH_TEST_KEY").check()
        assert server.url in str(caught.value) and "sk-secret" not in str(caught.value)
        assert server.requests == 1  # no retries at the start of a run


def test_unreachable_endpoint_is_one_line():
    with FakeJudgeServer("ok") as server:
        url = server.url
    with pytest.raises(JudgeUnavailableError, match="cannot connect"):
        OpenAIJudge(JudgeConfig(kind="openai", model="m", base_url=url)).check()


def test_a_request_that_keeps_failing_names_the_endpoint_after_its_retries():
    with FakeJudgeServer("error", status=429) as server:
        with pytest.raises(JudgeUnavailableError, match=r"HTTP 429 in a request, after 2 retries"):
            _judge(server, max_retries=2).judge("q", "a", "b")
        assert server.requests == 3


def test_hanging_server_fails_within_the_configured_timeout(tmp_path):
    with FakeJudgeServer("hang", hang_s=2.0) as server:
        judge = _judge(server, timeout_s=0.3, max_retries=0)
        with pytest.raises(JudgeUnavailableError, match="no answer within 0.3 s"):
            judge.judge("q", "a", "b")


def test_garbage_replies_are_not_final(tmp_path):
    cache_path = tmp_path / "j.sqlite"
    with FakeJudgeServer("garbage") as server:
        judge = _judge(server)
        results = judge_pairs(judge, ["q"], ["a"], ["b"], cache=JudgeCache(cache_path), invalid_retries=1)
        assert results[0].n_invalid == 2
        server.mode = "ok"  # the judge is fixed
        results = judge_pairs(judge, ["q"], ["a"], ["b"], cache=JudgeCache(cache_path))
        assert results[0].n_invalid == 0 and server.requests == 4 + 2


def test_invalid_share_warns_then_fails():
    assert check_invalid_share(1, 100, "j") is None
    assert check_invalid_share(10, 100, "j").startswith("WARNING: 10 of 100 verdicts (10%)")
    with pytest.raises(InvalidVerdictsError, match="100 of 100 verdicts .* from judge j could not be parsed, e.g. 'meh'"):
        check_invalid_share(100, 100, "j", example="meh")
    assert check_invalid_share(100, 100, "j", max_share=1.0)  # raised limit: a warning only
    with pytest.raises(InvalidVerdictsError):
        check_invalid_share(3, 100, "j", max_share=0.02)


def _evaluate(monkeypatch, tmp_path, judge, **kwargs):
    from pdbench.eval.evaluate import pairwise_evaluation
    from pdbench.eval.config import DecodingConfig

    monkeypatch.setattr("pdbench.eval.evaluate.generate_sets", lambda path, sets, *a, **k: {
        name: [{"output": f"{path} {p}"} for p in prompts] for name, prompts in sets.items()})
    return pairwise_evaluation("model", "base", {"set": ["q1", "q2"]}, judge, DecodingConfig(), n_boot=10,
                               cache=JudgeCache(tmp_path / "j.sqlite"), **kwargs)


def test_an_all_invalid_evaluation_fails_instead_of_reporting_aw_1(monkeypatch, tmp_path):
    with FakeJudgeServer("garbage") as server:
        with pytest.raises(InvalidVerdictsError, match="4 of 4 verdicts"):
            _evaluate(monkeypatch, tmp_path, _judge(server))


def test_a_high_invalid_share_warns_loudly(monkeypatch, tmp_path, caplog):
    with FakeJudgeServer("garbage") as server, caplog.at_level(logging.WARNING):
        result = _evaluate(monkeypatch, tmp_path, _judge(server), max_invalid_share=1.0)
    assert result.aw == 1.0 and "WARNING: 4 of 4 verdicts" in caplog.text


def test_pdbench_eval_checks_models_and_judge_before_generating():
    from pdbench.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["eval", "--model", "/nonexistent", "--baseline", "smollm2-135m-instruct"])
    assert result.exit_code != 0 and "--model '/nonexistent': no such folder" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    with FakeJudgeServer("ok") as server:
        url = server.url
    result = runner.invoke(main, ["eval", "--model", "smollm2-135m-instruct", "--baseline", "smollm2-135m-instruct",
                                  "--judge", "openai:m", "--judge-base-url", url])
    assert result.exit_code != 0 and f"judge m at {url}: cannot connect" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_judge_that_stays_down_fails_after_one_request_not_per_queued_request(tmp_path):
    """80 requests over 8 workers: the first failure ends the call; nothing queued is sent after it, and the
    call does not wait for the requests still in flight (each would take timeout x (retries + 1) again)."""
    import time

    with FakeJudgeServer("hang", hang_s=3.0) as server:
        judge = _judge(server, timeout_s=0.3, max_retries=1)
        started = time.perf_counter()
        with pytest.raises(JudgeUnavailableError, match="no answer within 0.3 s"):
            judge_pairs(judge, [f"q{i}" for i in range(40)], ["a"] * 40, ["b"] * 40,
                        cache=JudgeCache(tmp_path / "j.sqlite"), max_workers=8)
        elapsed = time.perf_counter() - started
    assert server.requests <= 8 * 2  # the first 8 requests and their one retry each, no more
    assert elapsed < 0.3 * 2 + 2.5  # one request's timeout x (retries + 1), the client's backoff, a margin

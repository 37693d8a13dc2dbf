"""The openai judge end to end against a real OpenAI-compatible server on loopback.

`transformers serve` hosts the embedded SmolLM2; its verdicts are mostly unparseable, which
must show up as counted invalid verdicts, never as a crash or a silent win.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pdbench.eval.judge_cache import JudgeCache
from pdbench.eval.config import JudgeConfig
from pdbench.eval.judges.openai_judge import JudgeConfigError, OpenAIJudge
from pdbench.eval.pairwise import judge_pairs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served_smollm2(smollm2_path):
    port = free_port()
    cli = Path(sys.executable).with_name("transformers")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    server = subprocess.Popen(
        [str(cli), "serve", smollm2_path, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("transformers serve exited early")
                time.sleep(1)
        else:
            pytest.fail("transformers serve did not come up in 120 s")
        yield f"http://127.0.0.1:{port}/v1", smollm2_path
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow  # CPU generation by the server: minutes on 2 cores
def test_judge_against_transformers_serve(served_smollm2, tmp_path, monkeypatch):
    base_url, model = served_smollm2
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    judge = OpenAIJudge(JudgeConfig(kind="openai", model=model, base_url=base_url, max_tokens=24, max_retries=1))
    prompts = ["What is 2 + 2?", "Name the capital of France in one word."]
    model_answers, baseline_answers = ["4", "Paris"], ["5", "The capital is Lyon, I believe."]
    cache = JudgeCache(tmp_path / "judge.sqlite")
    results = judge_pairs(judge, prompts, model_answers, baseline_answers, cache=cache, invalid_retries=1, max_workers=2)
    first_requests = judge.requests
    assert 4 <= first_requests <= 8  # two orders per pair, at most one retry each
    invalid = sum(r.n_invalid for r in results)
    assert all(r.outcome == "tie" for r in results if r.n_invalid)  # an invalid verdict is never a win
    print(f"requests={first_requests} invalid={invalid} outcomes={[r.outcome for r in results]}")
    again = judge_pairs(judge, prompts, model_answers, baseline_answers, cache=JudgeCache(tmp_path / "judge.sqlite"))
    assert judge.requests == first_requests  # the re-run asks the server nothing
    assert [r.outcome for r in again] == [r.outcome for r in results]


def test_missing_key_for_the_hosted_api_fails_fast(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(JudgeConfigError, match=r"\$OPENAI_API_KEY"):
        OpenAIJudge(JudgeConfig(kind="openai", model="gpt-4o"))


def test_a_judge_serving_its_own_model_starts_it_only_when_asked(tmp_path, monkeypatch):
    """`serve:` judges start their server at the first request inside serving() and stop it at the end; a block in
    which every verdict comes from the cache starts none."""
    from contextlib import contextmanager

    import pdbench.eval.serving as serving
    from tests.fakes import FakeJudgeServer

    started = []

    @contextmanager
    def fake_serve_model(setting, model, start_timeout_s=900.0, seed=0, name="server"):  # stands in for a real server
        with FakeJudgeServer("ok") as server:
            started.append(model)
            yield server.url

    monkeypatch.setattr(serving, "serve_model", fake_serve_model)
    judge = OpenAIJudge(JudgeConfig(name="served", kind="openai", model=str(tmp_path), serve="transformers"))
    with judge.serving():
        pass
    assert started == []  # nothing asked: nothing started
    with judge.serving():
        assert judge.judge("q", "a", "b").scores == (8.0, 7.0)
        judge.judge("q", "b", "a")
    assert started == [str(tmp_path)] and judge.client is None  # one server for the block, gone after it
    with pytest.raises(JudgeConfigError, match="inside judge.serving"):
        judge.judge("q", "a", "b")

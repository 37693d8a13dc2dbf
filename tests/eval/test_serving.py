"""Server settings: named templates, your own command, and what is missing said before any training."""

import sys

from pdbench.eval.serving import server_command, server_problem


def test_named_and_custom_server_commands():
    command = server_command("transformers", "/m", 8123)
    assert command[0].endswith("/transformers") and command[1:3] == ["serve", "/m"] and "8123" in command
    vllm = server_command("vllm", "/m", 8123, seed=4)
    assert vllm[1:3] == ["serve", "/m"] and vllm[vllm.index("--data-parallel-size") + 1] == "1"  # no GPU: 1
    assert vllm[vllm.index("--seed") + 1] == "4" and vllm[vllm.index("--max-model-len") + 1] == "4096"
    assert server_command("my-server --model {model} --port {port}", "/m", 9) == ["my-server", "--model", "/m",
                                                                                   "--port", "9"]


def test_a_missing_vllm_is_named_with_where_to_put_it(monkeypatch):
    monkeypatch.setenv("PDBENCH_VLLM", "/nonexistent/vllm-env/bin/vllm")
    assert "vLLM runs from its own environment" in server_problem("vllm")
    monkeypatch.setenv("PDBENCH_VLLM", sys.executable)  # any executable stands in for vLLM's
    assert server_problem("vllm") is None
    assert server_problem("transformers") is None

"""`pdbench run --dry-run`: ready / NOT READY per precondition, non-zero exit when one is missing, nothing computed."""

from click.testing import CliRunner

from pdbench.cli import main
from tests.fakes import FakeJudgeServer


def dry_run(*args):
    return CliRunner().invoke(main, ["run", "--dry-run", *args])


def test_the_tiny_preset_is_ready_here():
    result = dry_run("--preset", "smoke")
    assert result.exit_code == 0, result.output
    assert "NOT READY" not in result.output and "ready      judge: rubric" in result.output


def test_paper_preset_reports_each_precondition(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-do-not-print")
    model = tmp_path / "llama"
    model.mkdir()
    (model / "config.json").write_text("{}")
    data = tmp_path / "uf.jsonl"
    data.write_text("{}\n")
    config = tmp_path / "local.yaml"
    config.write_text(f"pd: {{lm_model: {model}}}\n")
    with FakeJudgeServer("ok") as server:
        args = ["--preset", "paper", "--judge-base-url", server.url, "--dataset", str(data), "--policy", str(model),
                "--config", str(config)]
        result = dry_run(*args)
        assert result.exit_code == 1
        assert "NOT READY  devices: 8 GPU(s) needed (deepspeed_zero3.yaml asks for 8)" in result.output
        assert result.output.count("NOT READY") == 1 and "ready      judge endpoint" in result.output
        assert "1 precondition(s) not ready: devices" in result.output
        assert dry_run(*args, "--num-processes", "1").exit_code == 0
    assert "sk-do-not-print" not in result.output

    monkeypatch.delenv("DASHSCOPE_API_KEY")
    result = dry_run("--preset", "paper", "--judge-base-url", "http://pdbench-judge.invalid/v1")  # never resolves
    assert result.exit_code == 1
    for line in ("NOT READY  judge key: $DASHSCOPE_API_KEY is not set", "NOT READY  judge endpoint",
                 "NOT READY  dataset: openbmb/UltraFeedback: not in the local Hugging Face cache, and HF_HUB_OFFLINE=1",
                 "NOT READY  policy: meta-llama/Llama-3.1-8B"):
        assert line in result.output

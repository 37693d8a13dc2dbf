"""`pdbench run --dry-run`: ready / NOT READY per precondition, non-zero exit when one is missing, nothing computed;
`pdbench prepare`: fetches what can be fetched, names what cannot."""

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from pdbench.cli import main
from pdbench.eval.testsets import ALPACA_REFERENCE_FILE, PAPER_SETS
from tests.fakes import FakeJudgeServer


def dry_run(*args):
    return CliRunner().invoke(main, ["run", "--dry-run", *args])


def test_the_tiny_preset_is_ready_here():
    result = dry_run("--preset", "smoke")
    assert result.exit_code == 0, result.output
    assert "NOT READY" not in result.output and "ready      judge: rubric" in result.output


def test_paper_mini_is_ready_offline_here(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = dry_run("--preset", "paper-mini")
    assert result.exit_code == 0, result.output
    for line in ("ready      extras: deepspeed installed", "ready      chat template (policy): chatml (configured)",
                 "ready      judge server:", "ready      generation server:", "ready      devices: 2 CPU processes"):
        assert line in result.output


def test_paper_preset_reports_each_precondition(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-do-not-print")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = tmp_path / "llama"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 100,
                                                   "intermediate_size": 128, "num_attention_heads": 4}))
    sets = tmp_path / "sets"
    sets.mkdir()
    for name in [s.file for s in PAPER_SETS.values()] + [ALPACA_REFERENCE_FILE]:
        (sets / name).write_text("{}\n")
    monkeypatch.setenv("PDBENCH_EVAL_DIR", str(sets))
    data = tmp_path / "uf.jsonl"
    data.write_text("{}\n")
    config = tmp_path / "local.yaml"
    config.write_text(f"pd: {{lm_model: {model}}}\nsft: {{dataset: {data}}}\n")
    with FakeJudgeServer("ok") as server:
        args = ["--preset", "paper", "--judge-base-url", server.url, "--dataset", str(data), "--policy", str(model),
                "--config", str(config)]
        result = dry_run(*args)
    assert result.exit_code == 1
    not_ready = [line for line in result.output.splitlines() if "NOT READY" in line]
    assert len(not_ready) == 3, result.output
    assert "NOT READY  AlpacaEval annotator key: $OPENAI_API_KEY is not set" in result.output  # fails before training
    assert "NOT READY  AlpacaEval official LC (df_gamed.csv)" in result.output
    assert "NOT READY  generation server: vllm: not found (vLLM runs from its own environment" in result.output
    for line in ("ready      judge endpoint", "ready      chat template (policy): llama3 (configured)",
                 "ready      memory (policy)", "ready      test set lima", "ready      extras: deepspeed installed"):
        assert line in result.output
    assert "pdbench prepare --preset paper" in result.output
    assert "sk-do-not-print" not in result.output

    monkeypatch.delenv("DASHSCOPE_API_KEY")
    result = dry_run("--preset", "paper", "--judge-base-url", "http://pdbench-judge.invalid/v1")  # never resolves
    assert result.exit_code == 1
    for line in ("NOT READY  judge key: $DASHSCOPE_API_KEY is not set", "NOT READY  judge endpoint",
                 "NOT READY  dataset: openbmb/UltraFeedback: not in the local Hugging Face cache, and HF_HUB_OFFLINE=1",
                 "NOT READY  SFT dataset: teknium/OpenHermes-2.5", "NOT READY  policy: meta-llama/Llama-3.1-8B"):
        assert line in result.output


def test_a_base_checkpoint_without_a_template_is_not_ready(tmp_path, monkeypatch):
    from pdbench.infra.models import resolve_model_path

    result = dry_run("--preset", "smoke", "--policy", resolve_model_path("smollm2-135m-notemplate"))
    assert result.exit_code == 1
    assert "NOT READY  chat template (policy):" in result.output and "has none (a base checkpoint?)" in result.output


def test_prepare_builds_paper_minis_assets_and_names_what_it_cannot_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(main, ["prepare", "--preset", "paper-mini"])
    assert result.exit_code == 0, result.output
    assert "fetching   dataset: world@ultrafeedback" not in result.output  # ready: built on first use
    # A fresh process, as on an offline compute node: huggingface_hub reads HF_HUB_OFFLINE when it is imported.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PDBENCH_EVAL_DIR": str(tmp_path / "none")}
    result = subprocess.run([sys.executable, "-m", "pdbench.cli", "prepare", "--preset", "paper"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "fetching   policy: meta-llama/Llama-3.1-8B" in result.stdout
    assert "NOT READY  policy: LocalEntryNotFoundError" in result.stdout and "not ready" in result.stderr


def test_the_checks_before_a_run_never_convert_the_embedded_model(tmp_path, monkeypatch):
    """A run's own checks stay cheap: the GGUF conversion happens in the initial_policy stage, which then says
    "computed", not in the checks before it (which made that stage say "reused from cache" on an empty cache)."""
    from pdbench.infra import models
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.preflight import blocking_problems

    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path))

    def no_conversion(*args):
        raise AssertionError("converted during the checks")

    monkeypatch.setattr(models, "_convert_gguf", no_conversion)
    assert blocking_problems(resolve_config("smoke")) == []
    problems = blocking_problems(resolve_config("smoke", policy="smollm2-135m-notemplate"))
    assert problems == ["chat template (policy): smollm2-135m-notemplate has none (a base checkpoint?): set "
                        "chat_template (chatml, llama3 or a .jinja file)"]

"""The paper's setup, whole, at minimal size: `pdbench run --preset paper-mini` offline on the CPU.

Every paper-scale code path runs for real: template-less base checkpoints given the configured chat template,
SFT of the policy and of the reward model's base on an OpenHermes-format file, PD from the LM reward backend
(TRL RewardTrainer), SFT / reward model / DPO each in 2 processes under the paper's DeepSpeed ZeRO-3 config,
generation and judging by `transformers serve` processes that pdbench starts and stops, and AlpacaEval through
alpaca_eval.evaluate with the served judge as annotator. The models are 2-layer random Llamas (the preset's
SmolLM2 takes minutes here); everything else is the preset's.
"""

import json
import os

import psutil
import pytest
from click.testing import CliRunner

from pdbench.cli import main


def test_paper_mini_cell_runs_every_paper_path(tiny_base_path, tiny_llama_path, tmp_path, monkeypatch):
    pytest.importorskip("deepspeed")
    monkeypatch.setenv("PDBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = tmp_path / "small.yaml"
    config.write_text(
        f"world_prompts: 40\neval_prompts_per_set: 2\nsft: {{max_samples: 16}}\npd: {{lm_model: {tiny_base_path}}}\n"
        f"judge: {{model: {tiny_llama_path}, max_tokens: 8}}\ndecoding: {{max_new_tokens: 8}}\n"
        "train: {learning_rate: 1.0e-3}\n")  # a step that moves the tiny policy, so the judge has answers to tell apart
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", "--preset", "paper-mini", "--strategy", "ours", "--policy",
                                       tiny_base_path, "--config", str(config), "--no-track", "--run-dir", str(run_dir)])
    assert result.exit_code == 0, result.output
    record = json.loads((run_dir / "result.json").read_text())
    paths = record["paths"]
    for stage in ("sft", "reward_model", "training", "baseline"):  # each in 2 processes, created partitioned
        assert paths[stage]["processes"] == 2 and paths[stage]["zero3_partitioned"] is True, (stage, paths[stage])
        assert paths[stage]["accelerate_config"] == "deepspeed_zero3.yaml"
    assert paths["generation"] == "served by transformers" and paths["judge"] == "served by transformers"
    assert paths["alpaca_eval"] == {"annotation": "alpaca_eval.evaluate (judge)", "lc": record["alpaca_eval"]["lc_kind"]}
    alpaca = record["alpaca_eval"]
    assert alpaca["asked"] == 10 and alpaca["reference"] == "initial policy (world)"
    assert alpaca["win_rate"] is None or "805 prompts only" in alpaca["note"]  # the minimal LC, said so
    assert record["pairwise"]["judge"].startswith("served:")
    hours = record["gpu_hours"]
    assert hours["sft"] > 0 and hours["selection"] > 0 and hours["training"] > 0 and hours["evaluation"] > 0
    assert record["costs"]["training"]["device_seconds"] == pytest.approx(2 * record["costs"]["training"]["seconds"])
    # The SFT checkpoint carries the configured template; the servers were started, logged and stopped.
    from pdbench.infra.chat_templates import CHAT_TEMPLATES, own_template

    policy_sft = record["costs"]["sft"]
    assert policy_sft["what"] == "policy" and policy_sft["zero3_partitioned"]
    sft_models = list((tmp_path / "cache" / "sft").glob("*/model"))
    assert sft_models and all(own_template(m) == CHAT_TEMPLATES["chatml"].jinja for m in sft_models)
    logs = list((tmp_path / "cache" / "logs" / "servers").glob("*.log"))
    assert any("judge" in log.name for log in logs) and any("generate" in log.name for log in logs)
    assert not [p for p in psutil.Process(os.getpid()).children(recursive=True) if p.is_running()
                and "serve" in " ".join(p.cmdline())]
    for line in ("SFT: 2 processes, log", "reward model training: 2 processes", "dpo training: 2 processes",
                 "AlpacaEval:", "device-hours (cpu): sft"):
        assert line in result.output

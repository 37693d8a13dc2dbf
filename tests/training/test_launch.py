"""Training under `accelerate launch` with 2 CPU processes (DDP, and DeepSpeed ZeRO-3, over gloo): both ranks
take part, and under ZeRO-3 the model is created partitioned."""

import json

import pandas as pd
import pytest

from pdbench.infra.launch import Launch
from pdbench.training.config import TrainConfig
from pdbench.training.launch import accelerate_config_path, run_training

PAIRS = pd.DataFrame({
    "prompt": [f"What is {i} + {i}?" for i in range(8)],
    "chosen": [str(2 * i) for i in range(8)],
    "rejected": [f"{2 * i + 1}, probably." for i in range(8)],
})


def test_two_cpu_processes_both_train(tiny_llama_path, tmp_path):
    config = TrainConfig(learning_rate=1e-3, batch_size=4, per_device_batch_size=2, max_length=64, max_steps=2,
                         warmup_ratio=0.0)
    outcome = run_training(tiny_llama_path, PAIRS, "dpo", 4, config, tmp_path,
                           Launch(num_processes=2, accelerate_config=accelerate_config_path("cpu_ddp.yaml")))
    ranks = sorted(json.loads(p.read_text())["rank"] for p in tmp_path.glob("rank-*.json"))
    assert ranks == [0, 1]
    for path in tmp_path.glob("rank-*.json"):
        record = json.loads(path.read_text())
        assert record["world_size"] == 2 and record["global_step"] == 2 and record["examples_seen"] == 4
    assert (tmp_path / "model" / "model.safetensors").exists() and outcome["global_step"] == 2


def test_unknown_accelerate_config_lists_shipped_ones():
    with pytest.raises(FileNotFoundError, match="deepspeed_zero3.yaml"):
        accelerate_config_path("nope.yaml")


def test_zero3_creates_the_model_partitioned(tiny_llama_path, tmp_path):
    """The paper's DeepSpeed ZeRO-3 config on 2 CPU processes: the DPOConfig exists before the model, so each rank
    holds a shard from the start; the saved model is whole."""
    pytest.importorskip("deepspeed")
    from transformers import AutoModelForCausalLM

    config = TrainConfig(learning_rate=1e-3, batch_size=4, per_device_batch_size=2, max_length=64, max_steps=1,
                         warmup_ratio=0.0, precision="fp32")
    outcome = run_training(tiny_llama_path, PAIRS, "dpo", 4, config, tmp_path,
                           Launch(num_processes=2, accelerate_config=accelerate_config_path("deepspeed_zero3.yaml")))
    records = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("rank-*.json"))]
    assert [r["rank"] for r in records] == [0, 1]
    assert all(r["zero3_partitioned"] and r["global_step"] == 1 for r in records)
    assert all(r["prefix_sharing"] == "on" for r in records)  # auto, on a CPU: the shared path under ZeRO-3 too
    assert outcome["devices"] == 2 and outcome["wall_seconds"] > outcome["train_seconds"]
    saved = AutoModelForCausalLM.from_pretrained(tmp_path / "model")
    assert sum(p.numel() for p in saved.parameters()) == sum(
        p.numel() for p in AutoModelForCausalLM.from_pretrained(tiny_llama_path).parameters())

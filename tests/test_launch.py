"""Training under `accelerate launch` with 2 CPU processes (DDP over gloo): both ranks take part."""

import json

import pandas as pd
import pytest

from pdbench.launch import accelerate_config_path, run_training
from pdbench.train import TrainConfig

PAIRS = pd.DataFrame({
    "prompt": [f"What is {i} + {i}?" for i in range(8)],
    "chosen": [str(2 * i) for i in range(8)],
    "rejected": [f"{2 * i + 1}, probably." for i in range(8)],
})


def test_two_cpu_processes_both_train(tiny_llama_path, tmp_path):
    config = TrainConfig(learning_rate=1e-3, batch_size=4, per_device_batch_size=2, max_length=64, max_steps=2,
                         warmup_ratio=0.0)
    outcome = run_training(tiny_llama_path, PAIRS, "dpo", 4, config, tmp_path, num_processes=2,
                           accelerate_config="cpu_ddp.yaml")
    ranks = sorted(json.loads(p.read_text())["rank"] for p in tmp_path.glob("rank-*.json"))
    assert ranks == [0, 1]
    for path in tmp_path.glob("rank-*.json"):
        record = json.loads(path.read_text())
        assert record["world_size"] == 2 and record["global_step"] == 2 and record["examples_seen"] == 4
    assert (tmp_path / "model" / "model.safetensors").exists() and outcome["global_step"] == 2


def test_unknown_accelerate_config_lists_shipped_ones():
    with pytest.raises(FileNotFoundError, match="deepspeed_zero3.yaml"):
        accelerate_config_path("nope.yaml")

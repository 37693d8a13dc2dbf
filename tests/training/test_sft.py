"""The optional SFT stage: row layouts, and one real SFTTrainer step on a tiny model."""

import json

import pytest
import torch

from pdbench.training.config import SFTConfig
from pdbench.training.sft import load_sft_dataset, sft_policy, to_messages


def test_row_layouts():
    assert to_messages({"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}) == [
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    assert to_messages({"prompt": "q", "completion": "a"})[1] == {"role": "assistant", "content": "a"}
    with pytest.raises(ValueError, match="messages, conversations or prompt/completion"):
        to_messages({"text": "x"})


def test_one_sft_step_changes_the_model(tiny_llama_path, tmp_path):
    from transformers import AutoModelForCausalLM

    rows = [{"conversations": [{"from": "human", "value": f"What is {i} + 1?"}, {"from": "gpt", "value": str(i + 1)}]}
            for i in range(8)]
    data = tmp_path / "sft.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert len(load_sft_dataset(str(data), max_samples=5)) == 5
    config = SFTConfig(dataset=str(data), learning_rate=1e-3, batch_size=4, per_device_batch_size=4, max_length=64,
                       max_steps=1, warmup_ratio=0.0)
    outcome = sft_policy(tiny_llama_path, config, tmp_path / "out")
    before = AutoModelForCausalLM.from_pretrained(tiny_llama_path).state_dict()
    after = AutoModelForCausalLM.from_pretrained(outcome["model"]).state_dict()
    assert outcome["global_step"] == 1
    assert any(not torch.equal(before[k], after[k]) for k in before)

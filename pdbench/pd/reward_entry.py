"""``python -m pdbench.pd.reward_entry FOLDER``: the ``lm`` backend's reward-model training or scoring process.

FOLDER/job.json says which (written by ``pdbench.pd.lm_backend.LMBackend``):

* ``train`` (one rank under ``accelerate launch``, DeepSpeed ZeRO-3 at paper scale): TRL's RewardTrainer
  on FOLDER/train_dataset (prompt conversation, chosen, rejected, margin = ρ·Δlen); the model goes to
  FOLDER/model. Each rank writes FOLDER/rank-<i>.json.
* ``score`` (one process): the reward of every pair's chosen and rejected response under each aspect's
  system prompt; FOLDER/gaps.npy holds r(chosen) - r(rejected), one row per aspect.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from pdbench.infra.launch import is_partitioned, rank, run_entry
from pdbench.infra.quiet import hide_library_progress_bars, known_warnings_silenced
from pdbench.pd.config import PDConfig
from pdbench.pd.lm_backend import conversation


def train(folder: Path, job: dict) -> dict:
    """Train the reward model described by ``job`` on the rows in ``folder``; save it in ``folder/model``."""
    from datasets import load_from_disk
    from transformers import AutoTokenizer
    from trl import RewardConfig, RewardTrainer

    config = PDConfig(**job["config"])
    tokenizer = AutoTokenizer.from_pretrained(job["model_path"])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    on_gpu = torch.cuda.is_available()
    accumulation = max(1, config.lm_batch_size // (config.lm_per_device_batch_size * job["num_processes"]))
    # The RewardConfig before the model: RewardTrainer then creates it partitioned under ZeRO-3.
    args = RewardConfig(
        output_dir=str(folder), seed=job["seed"], learning_rate=config.lm_learning_rate,
        per_device_train_batch_size=config.lm_per_device_batch_size, gradient_accumulation_steps=accumulation,
        num_train_epochs=config.lm_epochs, warmup_steps=config.lm_warmup_ratio, lr_scheduler_type="cosine",
        max_length=config.lm_max_length, bf16=job["precision"] == "bf16", use_cpu=not on_gpu,
        gradient_checkpointing=on_gpu, report_to=[], save_strategy="no", logging_steps=10, dataloader_num_workers=0,
    )
    trainer = RewardTrainer(model=job["model_path"], args=args, train_dataset=load_from_disk(str(folder / "train_dataset")),
                            processing_class=tokenizer)
    partitioned = is_partitioned(trainer.model)
    trainer.train()
    trainer.save_model(str(folder / "model"))  # under ZeRO-3: the gathered 16-bit weights, written by rank 0
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(folder / "model"))
    return {"global_step": trainer.state.global_step, "zero3_partitioned": partitioned}


@torch.no_grad()
def score(folder: Path, job: dict, batch_size: int = 16) -> dict:
    """r(chosen) - r(rejected) of every pair in ``folder/pairs.parquet`` per aspect; written to ``folder/gaps.npy``."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    pairs = pd.read_parquet(folder / "pairs.parquet")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = AutoModelForSequenceClassification.from_pretrained(job["model"], dtype=dtype).to(device).eval()
    tokenizer = AutoTokenizer.from_pretrained(job["model"])
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "right"  # the sequence-classification head reads the last non-pad token
    gaps = []
    for aspect in job["aspects"]:
        rewards = {}
        for role in ("chosen", "rejected"):
            texts = [tokenizer.apply_chat_template(conversation(p, aspect) + [{"role": "assistant", "content": r}],
                                                   tokenize=False) for p, r in zip(pairs["prompt"], pairs[role])]
            scores = []
            for start in range(0, len(texts), batch_size):
                batch = tokenizer(texts[start : start + batch_size], return_tensors="pt", padding=True, truncation=True,
                                  max_length=job["max_length"], add_special_tokens=False)
                scores.append(model(**{k: v.to(device) for k, v in batch.items()}).logits[:, 0].float().cpu().numpy())
            rewards[role] = np.concatenate(scores).astype(np.float64)
        gaps.append(rewards["chosen"] - rewards["rejected"])
    np.save(folder / "gaps.npy", np.stack(gaps))
    return {"pairs": len(pairs), "aspects": len(gaps)}


def main(folder: str) -> None:
    """Run the job in ``folder/job.json``."""
    folder = Path(folder)
    job = json.loads((folder / "job.json").read_text())
    hide_library_progress_bars()
    with known_warnings_silenced():
        outcome = train(folder, job) if job["action"] == "train" else score(folder, job)
    (folder / f"rank-{rank()}.json").write_text(json.dumps(outcome))


if __name__ == "__main__":
    sys.exit(run_entry(main, sys.argv[1]))

"""Supervised fine-tuning before alignment (the paper's OpenHermes-2.5 step for both models, App. B.3).

For base checkpoints: ``sft.dataset`` (``--sft-dataset``) names a Hub dataset or a local JSON / JSONL /
parquet file whose rows are conversations — ``messages`` (role / content), ShareGPT-style
``conversations`` (from / value, as OpenHermes-2.5 has) or ``prompt`` / ``completion`` — and TRL's
SFTTrainer trains the policy (and, as the paper does, the reward model's base) on it once, in its own
process (cached like every stage). The chat template comes with the model folder
(``pdbench.infra.chat_templates``) and is saved with the SFT checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import torch

from pdbench.training.config import SFTConfig

SHAREGPT_ROLES = {"system": "system", "human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant"}


def to_messages(row: dict) -> list[dict]:
    """One row as a chat (list of role / content messages), whichever supported layout it has."""
    if "messages" in row:
        return [{"role": m["role"], "content": m["content"]} for m in row["messages"]]
    if "conversations" in row:
        return [{"role": SHAREGPT_ROLES[t["from"]], "content": t["value"]} for t in row["conversations"]]
    if "prompt" in row and "completion" in row:
        return [{"role": "user", "content": row["prompt"]}, {"role": "assistant", "content": row["completion"]}]
    raise ValueError(f"an SFT row needs messages, conversations or prompt/completion; got fields {sorted(row)}")


def load_sft_dataset(name: str, max_samples: int = 0):
    """The SFT data as a ``datasets.Dataset`` with one ``messages`` column."""
    import datasets

    suffix = Path(name).suffix.lower()
    if Path(name).exists():
        kind = {".jsonl": "json", ".json": "json", ".parquet": "parquet"}.get(suffix)
        if kind is None:
            raise ValueError(f"{name}: SFT files must be .json, .jsonl or .parquet")
        raw = datasets.load_dataset(kind, data_files=name, split="train")
    else:
        raw = datasets.load_dataset(name, split="train")
    if max_samples:
        raw = raw.select(range(min(max_samples, len(raw))))
    return raw.map(lambda row: {"messages": to_messages(row)}, remove_columns=raw.column_names)


def sft_policy(model_path: str, config: SFTConfig, output_dir: Path, precision: str = "fp32",
               n_processes: int = 1) -> dict:
    """Fine-tune ``model_path`` on ``config.dataset`` (a Hub id or a local file); the result goes to
    ``output_dir/model`` with the tokenizer (and so the chat template) of ``model_path``.

    Runs in the SFT stage's own process (``pdbench.training.launch.run_sft``), one rank of it under
    ``accelerate launch``. TRL's SFTTrainer creates the model from its path after the SFTConfig exists,
    so under DeepSpeed ZeRO-3 it is created partitioned. ``precision``: ``bf16`` or ``fp32`` (resolved).
    """
    import time

    from transformers import AutoTokenizer
    from trl import SFTConfig as TRLSFTConfig
    from trl import SFTTrainer

    from pdbench.infra.launch import is_partitioned

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    on_gpu = torch.cuda.is_available()
    args = TRLSFTConfig(
        output_dir=str(output_dir), learning_rate=config.learning_rate, num_train_epochs=config.epochs,
        max_steps=config.max_steps, per_device_train_batch_size=config.per_device_batch_size,
        gradient_accumulation_steps=max(1, config.batch_size // (config.per_device_batch_size * n_processes)),
        warmup_steps=config.warmup_ratio, lr_scheduler_type="cosine", max_length=config.max_length,
        bf16=precision == "bf16", use_cpu=not on_gpu, gradient_checkpointing=on_gpu, report_to=[], save_strategy="no",
        logging_steps=1, seed=config.seed, dataloader_num_workers=0,
    )
    started = time.perf_counter()
    trainer = SFTTrainer(model=model_path, args=args, train_dataset=load_sft_dataset(config.dataset, config.max_samples),
                         processing_class=tokenizer)
    partitioned = is_partitioned(trainer.model)
    trainer.train()
    seconds = time.perf_counter() - started
    final = Path(output_dir) / "model"
    trainer.save_model(str(final))  # under ZeRO-3: the gathered 16-bit weights, written by rank 0
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(final))
    return {"model": str(final), "train_seconds": seconds, "global_step": trainer.state.global_step,
            "log_history": trainer.state.log_history, "zero3_partitioned": partitioned}

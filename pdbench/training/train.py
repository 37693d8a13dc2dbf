"""DPO and DMPO training on a Plan with TRL's DPOTrainer.

DMPO (paper Eq. 2) is -log σ(κ·M_θ(z) + Δφ(z)) with M_θ = β·(log-ratio of chosen - log-ratio of
rejected). TRL 1.16's DPOTrainer has no hook for a per-example term inside its loss, so
``DMPOTrainer`` uses an exact identity instead of re-implementing the loss: with TRL's β set to
κ·β and the precomputed reference log-prob of the chosen response lowered by Δφ/(κ·β), TRL's
sigmoid loss -log σ(β_TRL·(Δ_θ - Δ_ref)) becomes -log σ(κ·β·Δ + Δφ) = Eq. 2 exactly. The only
override shifts the precomputed reference log-probs; everything else (batching, DDP, DeepSpeed,
FSDP, logging) stays TRL's. Its logged "rewards/chosen" include the shift.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import torch
from transformers import ProgressCallback
from trl import DPOConfig, DPOTrainer

from pdbench.infra.launch import is_partitioned
from pdbench.training.microbatches import regroup_by_length
from pdbench.training.precision import bound_cpu_bf16_cache, resolve_precision
from pdbench.training.prefix_sharing import resolve_prefix_sharing, sharing_prefixes, unsupported_reason
from pdbench.training.ref_logps import CachedRefDPOTrainer, RefLogpCache, precision_of
from pdbench.training.config import TrainConfig


class _BarWithoutLogs(ProgressCallback):
    """transformers' progress bar without the per-step metric dicts it prints: pdbench logs those
    (returned as ``log_history``) to MLflow as training curves instead of the terminal."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        pass


class PdbenchDPOTrainer(CachedRefDPOTrainer):
    """TRL's DPOTrainer with cached reference log-probs (``pdbench.training.ref_logps``), each pair's shared prefix
    forwarded once where ``use_prefix_sharing`` (``pdbench.training.prefix_sharing``: policy and reference forwards
    alike) and, in one process, each optimiser step's micro-batches regrouped by length
    (``pdbench.training.microbatches``: the same step, less padding).

    ``prefix_sharing`` records the path taken: ``on``, ``off``, or ``off: <why>`` where the model cannot take it.
    """

    def __init__(self, *args, use_prefix_sharing: bool = False, **kwargs):
        # Set before TRL's __init__, which precomputes the reference log-probs through compute_ref_log_probs.
        reason = unsupported_reason(kwargs["model"]) if use_prefix_sharing else None
        self.prefix_sharing = "off" if not use_prefix_sharing else f"off: {reason}" if reason else "on"
        super().__init__(*args, **kwargs)

    def _sharing(self, model):
        return sharing_prefixes(model, self.ref_model) if self.prefix_sharing == "on" else contextlib.nullcontext()

    def _compute_loss(self, model, inputs, return_outputs):
        with self._sharing(model):
            return super()._compute_loss(model, inputs, return_outputs)

    def compute_ref_log_probs(self, model, inputs):
        with self._sharing(model):
            return super().compute_ref_log_probs(model, inputs)

    def get_batch_samples(self, epoch_iterator, num_batches, device):
        batches, num_items = super().get_batch_samples(epoch_iterator, num_batches, device)
        pad_token_id = getattr(self.data_collator, "pad_token_id", None)
        if self.accelerator.num_processes == 1 and pad_token_id is not None and self.args.pad_to_multiple_of is None:
            batches = regroup_by_length(batches, pad_token_id)
        return batches, num_items


class DMPOTrainer(PdbenchDPOTrainer):
    """DPOTrainer whose loss is DMPO's (Eq. 2). Needs precomputed reference log-probs, a ``pd_term``
    column in the train dataset, and ``args.beta`` = κ·β (see the module docstring)."""

    def _precompute_ref_logps(self, dataset, name, batch_size):
        # The cache (in the parent) holds the true reference log-probs; the shift is applied here, per run.
        dataset = super()._precompute_ref_logps(dataset, name, batch_size)
        shifted = [c - d / self.beta for c, d in zip(dataset["ref_chosen_logps"], dataset["pd_term"], strict=True)]
        return dataset.remove_columns("ref_chosen_logps").add_column("ref_chosen_logps", shifted)


def preference_dataset(selected: pd.DataFrame):
    """TRL's conversational preference dataset (plus ``pd_term`` when present) from planned pairs."""
    from datasets import Dataset

    columns = {
        "prompt": [[{"role": "user", "content": p}] for p in selected["prompt"]],
        "chosen": [[{"role": "assistant", "content": c}] for c in selected["chosen"]],
        "rejected": [[{"role": "assistant", "content": r}] for r in selected["rejected"]],
    }
    if "pd_term" in selected:
        columns["pd_term"] = [float(v) for v in selected["pd_term"]]
    return Dataset.from_dict(columns)


def dpo_args(config: TrainConfig, output_dir: Path, objective: str, n_aspects: int, n_processes: int = 1) -> DPOConfig:
    """TRL's DPOConfig for our TrainConfig; DMPO gets β·κ and precomputed reference log-probs."""
    on_gpu = torch.cuda.is_available()
    accumulation = max(1, config.batch_size // (config.per_device_batch_size * n_processes))
    return DPOConfig(
        output_dir=str(output_dir),
        beta=config.beta * n_aspects if objective == "dmpo" else config.beta,
        loss_type=["sigmoid"],
        learning_rate=config.learning_rate,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        warmup_steps=config.warmup_ratio,  # transformers 5: a float in [0, 1) is a ratio of the steps
        lr_scheduler_type="cosine",
        per_device_train_batch_size=config.per_device_batch_size,
        gradient_accumulation_steps=accumulation,
        max_length=config.max_length,
        precompute_ref_log_probs=config.precompute_ref_log_probs or objective == "dmpo",
        seed=config.seed,
        bf16=resolve_precision(config.precision) == "bf16",
        use_cpu=not on_gpu,
        gradient_checkpointing=on_gpu,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        dataloader_num_workers=0,
    )


def build_trainer(
    model_path: str, selected, objective: str, n_aspects: int, config: TrainConfig, output_dir: Path,
    n_processes: int = 1, use_ref_cache: bool = True,
) -> DPOTrainer:
    """The (DMPO or DPO) trainer of the policy at ``model_path`` on the planned pairs, ready to ``train()``.

    ``selected`` is a pair table (prompt / chosen / rejected [/ pd_term]) or the ``datasets.Dataset``
    made from one by ``preference_dataset``. The constructor tokenises and precomputes the reference
    log-probs, from the cache of ``pdbench.training.ref_logps`` where earlier runs stored them (``use_ref_cache``).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from pdbench.infra.models import model_fingerprint

    if objective not in ("dpo", "dmpo"):
        raise ValueError(f"objective must be dpo or dmpo, got {objective!r}")
    dataset = preference_dataset(selected) if isinstance(selected, pd.DataFrame) else selected
    if objective == "dmpo" and "pd_term" not in dataset.column_names:
        raise ValueError("dmpo needs a pd_term per pair")
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    # The DPOConfig first: under an accelerate DeepSpeed ZeRO-3 launch, building it registers the DeepSpeed
    # config, and only then does from_pretrained create the model partitioned across the ranks (each rank
    # holding its share) instead of whole in every process.
    args = dpo_args(config, output_dir, objective, n_aspects, n_processes)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    if not torch.cuda.is_available():
        score_completions_only_on_cpu()
        if args.bf16:
            bound_cpu_bf16_cache()
    cache = RefLogpCache(model_fingerprint(model_path), precision_of(args)) if use_ref_cache else None
    trainer_class = DMPOTrainer if objective == "dmpo" else PdbenchDPOTrainer
    return trainer_class(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
        peft_config=_lora(config) if config.use_lora else None, ref_logp_cache=cache,
        use_prefix_sharing=resolve_prefix_sharing(config.prefix_sharing),
    )


def score_completions_only_on_cpu() -> None:
    """Make TRL's fused LM head project only the completion tokens on the CPU, as it does on CUDA.

    TRL 1.16 projects every position — prompt and padding included — through the 49k-token LM head
    and its log-softmax on devices without Triton, so that tile shapes stay fixed for compilers such
    as Neuron's. Eager CPU code does not recompile, and the masked positions' log-probs are zeroed
    anyway, so the result is the same while the LM head's work (a large share of a CPU step) shrinks
    to the completion tokens. TRL reads ``_use_triton`` only for this choice in ``trl.trainer.utils``
    (its kernels module keeps its own binding for picking the Triton kernels, unchanged here).
    """
    import trl.trainer.utils as trl_utils

    if getattr(trl_utils._use_triton, "is_pdbench_cpu_compact", False):
        return
    original = trl_utils._use_triton

    def use_compact(device: torch.device) -> bool:
        return device.type == "cpu" or original(device)

    use_compact.is_pdbench_cpu_compact = True
    trl_utils._use_triton = use_compact


def train_policy(
    model_path: str, selected, objective: str, n_aspects: int, config: TrainConfig, output_dir: Path,
    n_processes: int = 1, use_ref_cache: bool = True,
) -> dict:
    """Train the policy at ``model_path`` on the planned pairs; save it in ``output_dir/model``.

    ``selected`` is as for ``build_trainer`` (multi-process runs load the dataset from disk so that
    every rank shares TRL's cache files).

    Returns ``model`` (the saved folder), ``global_step``, ``train_seconds``, ``log_history`` (TRL's
    per-step loss, reward margins and accuracies) and, for this process, ``examples_seen`` — under
    DDP each rank sees its own shard.
    """
    import time

    # Timed from here: building the trainer loads the model (about a second), tokenises and
    # precomputes the reference log-probs, which is training compute (and device time) as much as
    # the optimiser steps are.
    started = time.perf_counter()
    trainer = build_trainer(model_path, selected, objective, n_aspects, config, output_dir, n_processes, use_ref_cache)
    partitioned = is_partitioned(trainer.model)
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(_BarWithoutLogs)
    trainer.train()
    seconds = time.perf_counter() - started
    final = Path(output_dir) / "model"
    if config.use_lora:
        trainer.model = trainer.model.merge_and_unload()
    trainer.save_model(str(final))  # writes on the main process only
    if trainer.is_world_process_zero():
        trainer.processing_class.save_pretrained(str(final))
    args = trainer.args
    return {
        "model": str(final),
        "global_step": trainer.state.global_step,
        "train_seconds": seconds,
        "log_history": trainer.state.log_history,
        "examples_seen": trainer.state.global_step * args.per_device_train_batch_size * args.gradient_accumulation_steps,
        "zero3_partitioned": partitioned,
        "prefix_sharing": trainer.prefix_sharing,
    }


def _lora(config: TrainConfig):
    try:
        from peft import LoraConfig
    except ImportError:
        raise ImportError('train.use_lora needs peft: pip install "pdbench[lora]"') from None
    return LoraConfig(r=config.lora_r, lora_alpha=2 * config.lora_r, target_modules="all-linear", task_type="CAUSAL_LM")

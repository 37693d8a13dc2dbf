"""Where one DPO optimiser step of the tiny preset spends its time (torch profiler), and its padding.

    python benchmarks/dpo_profile.py [--pairs 16] [--preset tiny] [--rows 20] [--old] [--prefix-sharing on|off]
                                     [--precision auto|bf16|fp32] [--json out.json]

Builds the trainer exactly as ``pdbench.training.train.train_policy`` does on ``--pairs`` world pairs, runs
one warm-up step, then profiles the next optimiser step (``batch_size / per_device_batch_size``
micro-batches). Prints the torch threads, the micro-batches' real / padded / completion token
counts, the top operators by self CPU time, and the step's time grouped into matmuls (linear
layers and the LM head), the LM head's log-softmax, attention, and the rest. ``--old`` profiles
TRL as it runs on a CPU by itself (every position through the LM head, micro-batches as drawn).
``--prefix-sharing`` and ``--precision`` override the preset's ``train`` settings; with prefix sharing
the step's packed positions (one row per pair, ``pdbench.training.prefix_sharing``) are counted too.
The last line is JSON.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache, trl_alone  # noqa: E402

GROUPS = {
    "matmul (linear layers, LM head)": ("aten::mm", "aten::addmm", "aten::bmm", "aten::matmul", "aten::linear"),
    "attention (sdpa)": ("scaled_dot_product", "flash_attention", "_efficient_attention"),
    "log-softmax / exp over the vocabulary": ("aten::exp", "aten::logsumexp", "aten::log_softmax", "aten::_log_softmax",
                                              "aten::softmax", "aten::_softmax", "aten::amax", "aten::max"),
    "optimizer (AdamW)": ("_foreach", "adam"),
}
"""Operator-name fragments of each reported share; everything else is "other"."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--rows", type=int, default=20, help="operators in the printed table")
    parser.add_argument("--old", action="store_true", help="TRL alone, as before issue 14")
    parser.add_argument("--prefix-sharing", help="train.prefix_sharing (default: the preset's)")
    parser.add_argument("--precision", help="train.precision (default: the preset's)")
    parser.add_argument("--json")
    args = parser.parse_args()
    with scratch_cache(), trl_alone(args.old):
        summary = measure(args)
    report(summary, args.json)


def measure(args: argparse.Namespace) -> dict:
    """Profile the second optimiser step and return its breakdown."""
    from torch.profiler import ProfilerActivity, profile
    from transformers import TrainerCallback

    from pdbench.data.loading import load_records
    from pdbench.data.pairs import build_pairs
    from pdbench.infra.models import resolve_model_path
    from pdbench.pipeline.config import resolve_config
    from pdbench.training.prefix_sharing import PADDING, pack_pairs
    from pdbench.training.train import build_trainer

    train = {"prefix_sharing": args.prefix_sharing, "precision": args.precision}
    config = resolve_config(args.preset, train={k: v for k, v in train.items() if v is not None})
    pairs, _ = build_pairs(load_records("world", world_prompts=config.world_prompts), config.conflict, seed=0)
    selected = pairs.sample(n=args.pairs, random_state=0).reset_index(drop=True)
    model_path = resolve_model_path(config.policy)
    train = config.train.__class__(**{**config.train.to_dict(), "max_steps": 2})
    batches = []

    class Profiled(TrainerCallback):
        """Profile the second step (the first warms up the allocator and the thread pool)."""

        profiler = profile(activities=[ProfilerActivity.CPU])
        started = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step == 1:
                self.started = time.perf_counter()
                self.profiler.__enter__()

        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 2:
                self.profiler.__exit__(None, None, None)
                self.seconds = time.perf_counter() - self.started

    callback = Profiled()
    with tempfile.TemporaryDirectory() as out:
        trainer = build_trainer(model_path, selected, "dpo", pairs["aspect"].nunique(), train, Path(out))
        trainer.add_callback(callback)
        compute_loss = trainer.compute_loss

        def counting_loss(model, inputs, *args, **kwargs):  # the micro-batches as trained on (after regrouping)
            batches.append(inputs)
            return compute_loss(model, inputs, *args, **kwargs)

        trainer.compute_loss = counting_loss
        trainer.train()
    events = callback.profiler.key_averages()
    print(events.table(sort_by="self_cpu_time_total", row_limit=args.rows))
    total = sum(e.self_cpu_time_total for e in events)
    shares = {name: 0.0 for name in (*GROUPS, "other")}
    for event in events:
        group = next((g for g, fragments in GROUPS.items() if any(f in event.key for f in fragments)), "other")
        shares[group] += event.self_cpu_time_total
    micro = batches[-len(batches) // 2:]  # the profiled step's micro-batches
    padded = sum(b["input_ids"].numel() for b in micro)
    real = sum(int(b["attention_mask"].sum()) for b in micro)
    completion = sum(int(b["completion_mask"].sum()) for b in micro)
    packed = [pack_pairs(b["input_ids"], b["attention_mask"]).segments for b in micro]
    return {
        "torch_threads": torch.get_num_threads(),
        "precision": "bf16" if trainer.args.bf16 else "fp32",
        "prefix_sharing": trainer.prefix_sharing,
        "step_s": round(callback.seconds, 2),
        "micro_batches": len(micro),
        "positions (padded)": padded,
        "real_tokens": real,
        "completion_tokens": completion,
        "padding_share": round(1 - real / padded, 3),
        "packed positions (padded), if shared": sum(p.numel() for p in packed),
        "packed real tokens, if shared": sum(int(p.ne(PADDING).sum()) for p in packed),
        **{f"share {name}": round(value / total, 3) for name, value in shares.items()},
    }


if __name__ == "__main__":
    main()

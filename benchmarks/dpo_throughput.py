"""DPO training throughput (tokens/s) and achieved FLOP/s against this machine's measured matmul peak, per variant.

    python benchmarks/dpo_throughput.py [--pairs 64] [--preset tiny] [--variants new,shared,new/8,shared/8] [--repeats 2]
                                        [--per-device-batch-size N] [--precision auto|bf16|fp32] [--json out.json]

Trains the embedded SmolLM2 policy with TRL's DPOTrainer for one epoch on ``--pairs`` world pairs
with the preset's training settings (reference log-probs precomputed, as pdbench runs it), each
variant in a fresh cache (so the reference log-probs are computed, not read from the cache):

* ``old``: TRL as it runs on a CPU by itself — the LM head projects every position (prompt and
  padding too), micro-batches as drawn, the reference log-probs computed in dataset order and not cached;
* ``new``: pdbench's trainer before prefix sharing (``train.prefix_sharing: off``) — completion tokens only
  through the LM head, each step's micro-batches regrouped by length, the reference log-probs computed in
  length-sorted batches and cached;
* ``shared``: ``new`` with each pair's prompt forwarded once (``train.prefix_sharing: on``,
  ``pdbench.training.prefix_sharing``), for the policy and the reference forwards.

A variant may name its micro-batch: ``shared/8`` is ``shared`` with ``per_device_batch_size`` 8 (the
effective batch, and so the optimiser steps, stay the preset's); without one it is
``--per-device-batch-size`` or the preset's.

``--repeats`` runs the variants interleaved, in alternating order (new, shared, shared, new, ...), so that
a machine whose load drifts weighs on both alike; each figure is printed per run and the per-pair
seconds' median per variant, with the ratio of the first variant's median to each other's — by the
wall clock and by the process's CPU time (user + system of all its threads: on a machine shared with
other jobs, the work done without the waits for a core; with ``OMP_NUM_THREADS=1`` without spin-waiting
either). Then it measures the float32 matmul peak of this machine with the same torch threads (and the bf16 one where
the device multiplies bf16 natively; it is emulated elsewhere, for over ten minutes), and prints the load average.

Tokens: ``tokens`` are the real (unpadded) tokens of both sequences of every pair, truncated at
``max_length`` — what an unshared forward processes; ``forwarded_tokens`` are what the variant's forwards
process (shared: each pair's common prefix once). Useful FLOPs are counted on the forwarded tokens as
``6·N·T`` for the policy's forward + backward plus ``2·N·T`` for the reference forward, with N the
non-embedding parameters (the usual approximation; attention's quadratic term is left out), so the
FLOP/s say how well a variant uses the machine and the seconds say how much work it avoids.
``final_loss`` is the last logged step's loss and ``train_loss`` the mean over the run (TRL's). The last
line is JSON.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache, trl_alone  # noqa: E402


def matmul_peak_flops(size: int = 2048, repeats: int = 10, dtype: torch.dtype = torch.float32) -> float:
    """Best FLOP/s of ``size``×``size`` matrix products in ``dtype`` over ``repeats`` timed runs."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    torch.mm(a, b)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best


def bf16_peak_gflops() -> float | None:
    """The bf16 matmul peak in GFLOP/s where the device multiplies bf16 natively; None elsewhere, where torch
    emulates it (a CPU without AVX512-BF16 / AMX takes over ten minutes for the measurement, and training
    runs in fp32 there anyway)."""
    from pdbench.training.precision import has_native_bf16

    if not has_native_bf16():
        print("bf16 matmul peak: not measured, this device has no native bf16 (emulated: over ten minutes)",
              file=sys.stderr)
        return None
    return round(matmul_peak_flops(dtype=torch.bfloat16) / 1e9, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=64)
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--variants", default="new,shared", help="old runs first: new patches TRL for the process")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved runs of each variant")
    parser.add_argument("--per-device-batch-size", type=int, help="micro-batch (default: the preset's; the effective batch stays)")
    parser.add_argument("--precision", help="train.precision (default: the preset's)")
    parser.add_argument("--json")
    args = parser.parse_args()
    variants = args.variants.split(",")
    summary = {"load_average_before": os.getloadavg()}
    per_pair = {(variant, clock): [] for variant in variants for clock in ("s_per_pair", "cpu_s_per_pair")}
    for run, variant in enumerate(interleaved(variants, args.repeats)):
        with scratch_cache():  # a fresh cache each: the reference log-probs are computed, not read
            measured = measure(args, variant)
        for clock in ("s_per_pair", "cpu_s_per_pair"):
            per_pair[variant, clock].append(measured[clock])
        summary.update({f"{variant} #{run} {k}": v for k, v in measured.items()})
    summary["load_average_after"] = os.getloadavg()
    peak = matmul_peak_flops()
    summary["matmul_peak_gflops"] = round(peak / 1e9, 2)
    summary["bf16_matmul_peak_gflops"] = bf16_peak_gflops()
    for variant in variants:
        for key in [k for k in summary if k.startswith(f"{variant} #") and k.endswith("achieved_gflops")]:
            summary[key.replace("achieved_gflops", "fraction_of_fp32_peak")] = round(summary[key] * 1e9 / peak, 3)
    for (variant, clock), values in per_pair.items():
        summary[f"{variant} median {clock}"] = round(statistics.median(values), 3)
    for variant in variants[1:]:
        for clock in ("s_per_pair", "cpu_s_per_pair"):
            summary[f"speedup {clock}, {variants[0]} -> {variant} (medians)"] = round(
                summary[f"{variants[0]} median {clock}"] / summary[f"{variant} median {clock}"], 3)
    report(summary, args.json)


def interleaved(variants: list[str], repeats: int) -> list[str]:
    """The variants ``repeats`` times, every other round reversed (ABBA ...), ``old`` always first: it runs
    before pdbench patches TRL for the process."""
    order = []
    for round_ in range(repeats):
        order += variants if round_ % 2 == 0 else variants[::-1]
    return sorted(order, key=lambda v: kind(v) != "old")


def kind(variant: str) -> str:
    """``shared/8`` -> ``shared``."""
    return variant.partition("/")[0]


def measure(args: argparse.Namespace, variant: str) -> dict:
    """Train DPO on ``args.pairs`` world pairs the ``variant`` way and return tokens/s, FLOP/s and the loss."""

    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from pdbench.data.loading import load_records
    from pdbench.data.pairs import build_pairs
    from pdbench.infra.models import resolve_model_path
    from pdbench.pipeline.config import resolve_config
    from pdbench.training.precision import resolve_precision
    from pdbench.training.prefix_sharing import packed_length
    from pdbench.training.train import train_policy

    name, _, micro = variant.partition("/")
    is_old, is_shared = name == "old", name == "shared"
    train = {"per_device_batch_size": int(micro) if micro else args.per_device_batch_size,
             "precision": args.precision, "prefix_sharing": "on" if is_shared else "off"}
    config = resolve_config(args.preset, train={k: v for k, v in train.items() if v is not None})
    pairs, _ = build_pairs(load_records("world", world_prompts=config.world_prompts), config.conflict, seed=0)
    selected = pairs.sample(n=args.pairs, random_state=0).reset_index(drop=True)
    model_path = resolve_model_path(config.policy)
    tokenizer = AutoTokenizer.from_pretrained(model_path)

    def token_ids(prompt: str, response: str) -> list[int]:
        # Render, then tokenise: transformers 5's tokenize=True returns a BatchEncoding, whose len()
        # counts its keys, not its tokens.
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}], tokenize=False)
        return tokenizer(text, add_special_tokens=False)["input_ids"][: config.train.max_length]

    real_tokens = forwarded_tokens = 0
    for p, c, r in zip(selected["prompt"], selected["chosen"], selected["rejected"]):
        chosen, rejected = token_ids(p, c), token_ids(p, r)
        real_tokens += len(chosen) + len(rejected)
        forwarded_tokens += (packed_length(torch.tensor(chosen), torch.tensor(rejected)) if is_shared
                             else len(chosen) + len(rejected))
    model = AutoModelForCausalLM.from_pretrained(model_path)
    embedding = model.get_input_embeddings().weight.numel()
    params = sum(p.numel() for p in model.parameters()) - embedding
    del model

    cpu_before = process_cpu_seconds()
    with tempfile.TemporaryDirectory() as out, trl_alone(is_old):
        outcome = train_policy(model_path, selected, "dpo", pairs["aspect"].nunique(), config.train, Path(out),
                               use_ref_cache=not is_old)
    cpu_seconds = process_cpu_seconds() - cpu_before
    seconds = outcome["train_seconds"]
    losses = [entry["loss"] for entry in outcome["log_history"] if "loss" in entry]
    train_loss = [entry["train_loss"] for entry in outcome["log_history"] if "train_loss" in entry]
    return {
        "pairs": args.pairs,
        "per_device_batch_size": config.train.per_device_batch_size,
        "precision": resolve_precision(config.train.precision),
        "prefix_sharing": outcome["prefix_sharing"],
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "steps": outcome["global_step"],
        "torch_threads": torch.get_num_threads(),
        "model": AutoConfig.from_pretrained(model_path).model_type,
        "non_embedding_params_m": round(params / 1e6, 1),
        "tokens": real_tokens,
        "forwarded_tokens": forwarded_tokens,
        "train_s (incl. reference precompute)": round(seconds, 1),
        "s_per_pair": round(seconds / args.pairs, 3),
        "cpu_s_per_pair": round(cpu_seconds / args.pairs, 3),
        "tokens_per_s": round(real_tokens / seconds, 1),
        "achieved_gflops": round(8 * params * forwarded_tokens / seconds / 1e9, 2),
        "final_loss": losses[-1] if losses else None,
        "train_loss": train_loss[-1] if train_loss else None,
        "load_average": os.getloadavg(),
    }


def process_cpu_seconds() -> float:
    """CPU time of this process's threads so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()

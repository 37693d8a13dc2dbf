"""DPO training throughput (tokens/s) and achieved FLOP/s against this machine's measured matmul peak, old vs new.

    python benchmarks/dpo_throughput.py [--pairs 64] [--preset tiny] [--variants old,new]
                                        [--per-device-batch-size N] [--precision auto|bf16|fp32] [--json out.json]

Trains the embedded SmolLM2 policy with TRL's DPOTrainer for one epoch on ``--pairs`` world pairs
with the preset's training settings (reference log-probs precomputed, as pdbench runs it), each
variant in a fresh cache (so the reference log-probs are computed, not read from the cache):

* ``old``: TRL as it runs on a CPU by itself — the LM head projects every position (prompt and
  padding too), micro-batches as drawn, the reference log-probs computed in dataset order and not cached;
* ``new``: pdbench's trainer — completion tokens only through the LM head, each step's
  micro-batches regrouped by length, the reference log-probs computed in length-sorted batches and cached.

Then it measures the float32 matmul peak of this machine with the same torch threads (and the bf16 one where
the device multiplies bf16 natively; it is emulated elsewhere, for over ten minutes). Useful FLOPs are
counted on real (unpadded) tokens, truncated at ``max_length``, as
``6·N·T`` for the policy's forward + backward plus ``2·N·T`` for the reference forward, with N the
non-embedding parameters (the usual approximation; attention's quadratic term is left out). The
last line is JSON.
"""

import argparse
import resource
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
    parser.add_argument("--variants", default="old,new", help="old runs first: new patches TRL for the process")
    parser.add_argument("--per-device-batch-size", type=int, help="micro-batch (default: the preset's; the effective batch stays)")
    parser.add_argument("--precision", help="train.precision (default: the preset's)")
    parser.add_argument("--json")
    args = parser.parse_args()
    summary = {}
    for variant in args.variants.split(","):
        with scratch_cache():  # a fresh cache each: the reference log-probs are computed, not read
            summary.update({f"{variant} {k}": v for k, v in measure(args, is_old=variant == "old").items()})
    peak = matmul_peak_flops()
    summary["matmul_peak_gflops"] = round(peak / 1e9, 2)
    summary["bf16_matmul_peak_gflops"] = bf16_peak_gflops()
    for variant in args.variants.split(","):
        summary[f"{variant} fraction_of_peak"] = round(summary[f"{variant} achieved_gflops"] * 1e9 / peak, 3)
    report(summary, args.json)


def measure(args: argparse.Namespace, is_old: bool) -> dict:
    """Train DPO on ``args.pairs`` world pairs and return tokens/s and FLOP/s."""

    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from pdbench.data.loading import load_records
    from pdbench.data.pairs import build_pairs
    from pdbench.infra.models import resolve_model_path
    from pdbench.pipeline.config import resolve_config
    from pdbench.training.precision import resolve_precision
    from pdbench.training.train import train_policy

    train = {"per_device_batch_size": args.per_device_batch_size, "precision": args.precision}
    config = resolve_config(args.preset, train={k: v for k, v in train.items() if v is not None} or None)
    pairs, _ = build_pairs(load_records("world", world_prompts=config.world_prompts), config.conflict, seed=0)
    selected = pairs.sample(n=args.pairs, random_state=0).reset_index(drop=True)
    model_path = resolve_model_path(config.policy)
    tokenizer = AutoTokenizer.from_pretrained(model_path)

    def tokens(prompt: str, response: str) -> int:
        # Render, then tokenise: transformers 5's tokenize=True returns a BatchEncoding, whose len()
        # counts its keys, not its tokens.
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}], tokenize=False)
        return min(len(tokenizer(text, add_special_tokens=False)["input_ids"]), config.train.max_length)

    real_tokens = sum(tokens(p, c) + tokens(p, r) for p, c, r in
                      zip(selected["prompt"], selected["chosen"], selected["rejected"]))
    model = AutoModelForCausalLM.from_pretrained(model_path)
    embedding = model.get_input_embeddings().weight.numel()
    params = sum(p.numel() for p in model.parameters()) - embedding
    del model

    with tempfile.TemporaryDirectory() as out, trl_alone(is_old):
        outcome = train_policy(model_path, selected, "dpo", pairs["aspect"].nunique(), config.train, Path(out),
                               use_ref_cache=not is_old)
    seconds = outcome["train_seconds"]
    achieved = 8 * params * real_tokens / seconds
    return {
        "pairs": args.pairs,
        "per_device_batch_size": config.train.per_device_batch_size,
        "precision": resolve_precision(config.train.precision),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "steps": outcome["global_step"],
        "torch_threads": torch.get_num_threads(),
        "model": AutoConfig.from_pretrained(model_path).model_type,
        "non_embedding_params_m": round(params / 1e6, 1),
        "tokens": real_tokens,
        "train_s (incl. reference precompute)": round(seconds, 1),
        "tokens_per_s": round(real_tokens / seconds, 1),
        "achieved_gflops": round(achieved / 1e9, 2),
    }


if __name__ == "__main__":
    main()

"""The `paper` preset's DPO training path at the paper's model shapes: tokens/s, MFU, peak GPU memory.

    python benchmarks/paper_scale_dpo.py [--shape llama-3.2-3b] [--lengths paper-max,ultrafeedback]
                                         [--prefix-sharing off,on] [--attn-implementation sdpa]
                                         [--steps 4] [--tokenizer PATH] [--json out.json]

Builds a model of ``--shape`` from its config with random weights (no Hub needed), saves it, and
trains it with pdbench's own trainer (``pdbench.training.train.build_trainer``) under the paper
preset's training settings (App. B.3: batch 32, max length 4096, lr 5e-7; bf16 mixed precision and
gradient checkpointing on a GPU, reference log-probs precomputed) for ``--steps`` optimiser steps on
synthetic pairs of fixed token lengths:

* ``paper-max``: 512-token prompts with 3,584-token responses, every sequence at the paper's
  4,096-token limit (the upper end of what the recipe allows);
* ``ultrafeedback``: 160-token prompts, 380-token chosen and 300-token rejected responses — our
  assumption of UltraFeedback's typical lengths (the dataset is not on this machine), exposed as
  ``--ultrafeedback-lengths``.

The text is random tokens of the tokenizer's vocabulary (``--tokenizer``: default the embedded
SmolLM2's; the model keeps its own vocabulary size, so the LM head's cost is the real one). Real
tokens are counted from the trainer's tokenised dataset, truncated as TRL truncates them.

``--prefix-sharing off,on`` trains each length profile once per setting, side by side in one run
(``train.prefix_sharing``, ``pdbench.training.prefix_sharing``: each pair's prompt forwarded once, in one
packed row with a block mask), and prints the steady step's speed-up of each setting over the first.
``--attn-implementation`` picks transformers' attention kernels for the model (``sdpa``, or
``flex_attention``, where the shared path's mask becomes a block-sparse BlockMask instead of a dense one).

Model FLOPs follow PaLM's MFU convention (no recomputation counted): per sequence of ``s`` tokens,
``6·(N - V·d)·s + 6·V·d·c + 12·L·d·s²`` for a training forward + backward (``c`` completion
tokens: TRL projects only those through the LM head; N all parameters, the tied embedding counted
once, as the LM head), and a third of it for the reference forward. With shared prefixes, the
``p`` tokens a pair's two sequences share are counted once (``6·(N - V·d)·p + 12·L·d·p²`` less per
pair): MFU is then the share of the peak the *needed* FLOPs run at, and
``steady_unshared_equivalent_tflops`` counts the unshared path's FLOPs in the shared run's time. MFU is
reported against the bf16 matrix-product peak measured here (8192³, median of 10) and against the H100 SXM datasheet's
989 TFLOP/s. Steady-state numbers leave out the first optimiser step (allocator and kernel warm-up).
The last line is JSON.
"""

import argparse
import json
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache  # noqa: E402

SHAPES = {
    # Public configs of the paper's models (meta-llama/Llama-3.2-3B, meta-llama/Llama-3.1-8B).
    "llama-3.2-3b": dict(hidden_size=3072, intermediate_size=8192, num_hidden_layers=28, num_attention_heads=24,
                         num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True, rope_theta=500000.0),
    "llama-3.1-8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                         num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=False, rope_theta=500000.0),
    # For checking this script on a CPU in seconds.
    "tiny-llama": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=2, vocab_size=128256, tie_word_embeddings=True, rope_theta=500000.0),
}
H100_SXM_BF16_DENSE = 989.4e12
"""Datasheet dense bf16 tensor-core peak of an H100 SXM (FLOP/s)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="llama-3.2-3b", choices=sorted(SHAPES))
    parser.add_argument("--lengths", default="paper-max,ultrafeedback")
    parser.add_argument("--ultrafeedback-lengths", default="160,380,300", help="prompt,chosen,rejected tokens")
    parser.add_argument("--prefix-sharing", default="off,on", help="train.prefix_sharing settings, measured in turn")
    parser.add_argument("--attn-implementation", default="sdpa", help="transformers' attn_implementation")
    parser.add_argument("--steps", type=int, default=4, help="optimiser steps per length profile and setting")
    parser.add_argument("--per-device-batch-size", type=int, help="micro-batch (default: the paper preset's)")
    parser.add_argument("--tokenizer", help="tokenizer folder (default: the embedded SmolLM2's)")
    parser.add_argument("--json")
    args = parser.parse_args()

    from pdbench.infra.models import SMOLLM2, resolve_model_path
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.stages import device_name

    train = resolve_config("paper").train
    micro = args.per_device_batch_size or train.per_device_batch_size
    tokenizer_path = args.tokenizer or resolve_model_path(SMOLLM2)
    summary = {"shape": args.shape, "device": device_name(), "torch": torch.__version__,
               "batch_size": train.batch_size, "per_device_batch_size": micro, "max_length": train.max_length,
               "attn_implementation": args.attn_implementation}
    peak = bf16_matmul_peak() if torch.cuda.is_available() else None
    if peak:
        summary["bf16_matmul_peak_tflops"] = round(peak / 1e12, 1)
    profiles = {"paper-max": (512, 3584, 3584),
                "ultrafeedback": tuple(int(v) for v in args.ultrafeedback_lengths.split(","))}
    with tempfile.TemporaryDirectory() as folder, scratch_cache():
        model_path, shape = random_model(args.shape, tokenizer_path, Path(folder) / "model")
        summary.update(shape)
        settings = args.prefix_sharing.split(",")
        for name in args.lengths.split(","):
            for setting in settings:
                config = replace(train, prefix_sharing=setting)
                with attention(args.attn_implementation):
                    measured = measure_fitting(model_path, shape, profiles[name], args.steps, config, micro, peak,
                                               Path(folder) / f"{name}-{setting}")
                summary.update({f"{name} sharing={setting} {k}": v for k, v in measured.items()})
                if args.json:  # what is measured so far survives a later failure
                    Path(args.json).write_text(json.dumps(summary, indent=2))
            first = summary[f"{name} sharing={settings[0]} steady_step_s"]
            for setting in settings[1:]:
                summary[f"{name} steady step speed-up, sharing {settings[0]} -> {setting}"] = round(
                    first / summary[f"{name} sharing={setting} steady_step_s"], 3)
    report(summary, args.json)


@contextmanager
def attention(implementation: str):
    """Load the trainer's model with ``implementation`` (transformers does not save it in the model's config)."""
    from transformers import AutoModelForCausalLM

    load = AutoModelForCausalLM.from_pretrained

    def with_attention(*args, **kwargs):
        return load(*args, attn_implementation=implementation, **kwargs)

    with mock.patch.object(AutoModelForCausalLM, "from_pretrained", with_attention):
        yield


def bf16_matmul_peak(size: int = 8192, repeats: int = 10) -> float:
    """Median bf16 FLOP/s of ``size``³ matrix products on random data (device events, after warm-up)."""
    a, b = (torch.randn(size, size, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        torch.mm(a, b)
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        torch.mm(a, b)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return 2 * size**3 / sorted(times)[len(times) // 2]


def random_model(shape: str, tokenizer_path: str, folder: Path) -> tuple[str, dict]:
    """Save a Llama of ``shape`` with random weights (bf16) and the tokenizer in ``folder``; its sizes."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(**SHAPES[shape], max_position_embeddings=131072, torch_dtype="bfloat16")
    started = time.perf_counter()
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(tokenizer_path).save_pretrained(folder)
    del model
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return str(folder), {"params_b": round(params / 1e9, 3), "layers": config.num_hidden_layers,
                         "hidden": config.hidden_size, "vocab": config.vocab_size,
                         "model_build_s": round(time.perf_counter() - started, 1)}


def synthetic_pairs(tokenizer_path: str, lengths: tuple[int, int, int], n: int) -> pd.DataFrame:
    """``n`` pairs of random-token text of about ``lengths`` (prompt, chosen, rejected) tokens."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
    generator = torch.Generator().manual_seed(0)
    low = 1000  # past the special and byte tokens

    def text(tokens: int) -> str:
        ids = torch.randint(low, len(tokenizer) - 1, (tokens,), generator=generator).tolist()
        # Decoded random ids re-tokenise into more tokens; cutting the re-tokenised ids brings the
        # text back to about ``tokens`` (the exact counts are taken from the trainer's dataset).
        again = tokenizer(tokenizer.decode(ids, skip_special_tokens=True), add_special_tokens=False)["input_ids"]
        return tokenizer.decode(again[:tokens], skip_special_tokens=True)

    return pd.DataFrame([{"prompt": text(lengths[0]), "chosen": text(lengths[1]), "rejected": text(lengths[2])}
                         for _ in range(n)])


def model_flops(shape: dict, prompt: int, completion: int) -> float:
    """Training forward + backward FLOPs of one sequence (PaLM's convention; see the module docstring)."""
    d, vocab, layers = shape["hidden"], shape["vocab"], shape["layers"]
    body = shape["params_b"] * 1e9 - vocab * d
    length = prompt + completion
    return 6 * body * length + 6 * vocab * d * completion + 12 * layers * d * length**2


def shared_prefix_flops(shape: dict, shared: int) -> float:
    """What forwarding a pair's ``shared``-token common prefix once instead of twice saves: its layers and its
    attention block (the LM head never scores prompt tokens)."""
    d, vocab, layers = shape["hidden"], shape["vocab"], shape["layers"]
    return 6 * (shape["params_b"] * 1e9 - vocab * d) * shared + 12 * layers * d * shared**2


def measure_fitting(model_path: str, shape: dict, lengths: tuple, steps: int, train, micro: int,
                    peak: float | None, out: Path) -> dict:
    """``measure`` at micro-batch ``micro``, halved after each out-of-memory error (recorded)."""
    out_of_memory = []
    while True:
        try:
            return {**measure(model_path, shape, lengths, steps, train, micro, peak, out),
                    "per_device_batch_size": micro, "out_of_memory_at": out_of_memory}
        except torch.OutOfMemoryError:
            if micro == 1:
                raise
            out_of_memory.append(micro)
            micro //= 2
            torch.cuda.empty_cache()


def measure(model_path: str, shape: dict, lengths: tuple, steps: int, train, micro: int, peak: float | None,
            out: Path) -> dict:
    """Train ``steps`` optimiser steps on synthetic pairs of ``lengths``; throughput, MFU against ``peak``, memory."""
    from transformers import TrainerCallback

    from pdbench.training.prefix_sharing import packed_length
    from pdbench.training.ref_logps import truncated
    from pdbench.training.train import build_trainer

    config = replace(train, max_steps=steps, per_device_batch_size=micro)
    pairs = synthetic_pairs(model_path, lengths, steps * config.batch_size)
    on_gpu = torch.cuda.is_available()
    if on_gpu:
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    trainer = build_trainer(model_path, pairs, "dpo", 1, config, out, use_ref_cache=False)
    construction_s = time.perf_counter() - started

    tokens = completion_tokens = forwarded_tokens = unshared_flops = saved_flops = 0
    for example in trainer.train_dataset:
        sequences = []
        for side in ("chosen", "rejected"):
            prompt, response = truncated(example["prompt_ids"], example[f"{side}_ids"], config.max_length)
            tokens += len(prompt) + len(response)
            completion_tokens += len(response)
            unshared_flops += model_flops(shape, len(prompt), len(response))
            sequences.append(torch.tensor(prompt + response))
        both = len(sequences[0]) + len(sequences[1])
        shared = both - packed_length(*sequences) if trainer.prefix_sharing == "on" else 0
        forwarded_tokens += both - shared
        saved_flops += shared_prefix_flops(shape, shared)
    flops = unshared_flops - saved_flops
    step_ends = []

    class StepClock(TrainerCallback):
        def on_step_end(self, *_, **__):
            if on_gpu:
                torch.cuda.synchronize()
            step_ends.append(time.perf_counter())

    trainer.add_callback(StepClock)
    train_started = time.perf_counter()
    trainer.train()
    total_s = step_ends[-1] - train_started
    steady_s = step_ends[-1] - step_ends[0]  # steps 2..n: the first one warms allocator and kernels
    steady_share = (len(step_ends) - 1) / len(step_ends)  # equal lengths: every step has the same tokens
    steady_flops_per_s = flops * steady_share / steady_s
    result = {
        "prefix_sharing": trainer.prefix_sharing,
        "pairs": len(pairs), "steps": len(step_ends), "real_tokens": tokens, "forwarded_tokens": forwarded_tokens,
        "tokens_per_sequence": round(tokens / (2 * len(pairs)), 1),
        "trainer_construction_s (load, tokenise, TRL model hash, reference forward)": round(construction_s, 1),
        "first_step_s": round(step_ends[0] - train_started, 2),
        "steady_step_s": round(steady_s / (len(step_ends) - 1), 2),
        "train_s": round(total_s, 1),
        "steady_tokens_per_s": round(tokens * steady_share / steady_s),
        "steady_model_tflops": round(steady_flops_per_s / 1e12, 1),
        "steady_unshared_equivalent_tflops": round(unshared_flops * steady_share / steady_s / 1e12, 1),
    }
    if on_gpu:
        result["mfu_vs_measured_peak"] = round(steady_flops_per_s / peak, 3)
        result["mfu_vs_datasheet_989"] = round(steady_flops_per_s / H100_SXM_BF16_DENSE, 3)
        result["peak_gpu_memory_gb"] = round(torch.cuda.max_memory_allocated() / 2**30, 1)
        result["peak_gpu_reserved_gb"] = round(torch.cuda.max_memory_reserved() / 2**30, 1)
    del trainer
    if on_gpu:
        torch.cuda.empty_cache()
    return result


if __name__ == "__main__":
    main()

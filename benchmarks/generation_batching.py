"""Generation throughput of the tiny preset's evaluation: the old settings vs pooled, larger batches, side by side.

    python benchmarks/generation_batching.py [--preset tiny] [--old-batch-size 16] [--batch-sizes 64,256]
                                             [--keep-finished] [--prompts-per-set N] [--json out.json]

Generates the SFT policy's answers to the preset's evaluation sets (the world's held-out
families, ``eval_prompts_per_set`` each) greedily with the preset's ``max_new_tokens``, each
variant in a fresh cache:

* ``old``: set by set, ``--old-batch-size`` prompts per batch, transformers' ``generate`` (the settings
  before issue 14);
* ``pooled-B``: all sets in one length-sorted pass (``pdbench.eval.generate.generate_sets``), batches of
  B, finished answers dropped from the batch (``DecodingConfig.drop_finished``; ``--keep-finished``
  decodes them with ``generate`` instead).

Prints seconds, generated tokens (answers re-tokenised, plus the end-of-sequence token when the
answer stopped early), tokens/s, the speedup over ``old`` and how many answers differ from ``old``'s.
The last line is JSON.
"""

import argparse
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from pdbench.eval.generate import generate, generate_sets
from pdbench.eval.setup import eval_sets
from pdbench.infra.models import resolve_model_path
from pdbench.pipeline.config import resolve_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--old-batch-size", type=int, default=16, help="the tiny preset's batch size before pooling")
    parser.add_argument("--batch-sizes", default="64,256", help="comma-separated batch sizes of the pooled variants")
    parser.add_argument("--keep-finished", action="store_true", help="pooled variants decode with generate (no dropping)")
    parser.add_argument("--prompts-per-set", type=int, help="default: the preset's eval_prompts_per_set")
    parser.add_argument("--json")
    args = parser.parse_args()
    config = resolve_config(args.preset, eval_prompts_per_set=args.prompts_per_set)
    sets = eval_sets(config.evaluation)
    model = resolve_model_path(config.policy)
    variants = {"old": (False, args.old_batch_size, False)}
    variants.update({f"pooled-{b}": (True, int(b), not args.keep_finished) for b in args.batch_sizes.split(",")})
    answers, summary = {}, {"prompts": sum(map(len, sets.values())), "sets": len(sets),
                            "max_new_tokens": config.decoding.max_new_tokens, "torch_threads": torch.get_num_threads()}
    for label, (is_pooled, batch_size, drop_finished) in variants.items():
        decoding = replace(config.decoding, batch_size=batch_size, drop_finished=drop_finished)
        with scratch_cache():  # a fresh cache per variant: we time generation, not cache hits
            started = time.perf_counter()
            if is_pooled:
                records = generate_sets(model, sets, decoding)
            else:
                records = {name: generate(model, prompts, decoding, name) for name, prompts in sets.items()}
            seconds = time.perf_counter() - started
        answers[label] = [r["output"] for name in sets for r in records[name]]
        tokens = count_tokens(model, answers[label], config.decoding.max_new_tokens)
        summary.update({f"{label}_s": round(seconds, 1), f"{label}_tokens": tokens,
                        f"{label}_tokens_per_s": round(tokens / seconds, 1)})
        if label != "old":
            summary[f"{label}_speedup"] = round(summary["old_s"] / seconds, 2)
            summary[f"{label}_answers_differing_from_old"] = sum(a != b for a, b in zip(answers[label], answers["old"]))
        print(f"{label:<12} batch={batch_size:<4} {seconds:7.1f} s  {tokens / seconds:7.1f} tokens/s", flush=True)
    summary["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    report(summary, args.json)


def count_tokens(model_path: str, answers: list[str], max_new_tokens: int) -> int:
    """Generated tokens: each answer's tokens, plus the end-of-sequence token of answers that stopped early."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    lengths = [len(ids) for ids in tokenizer(answers, add_special_tokens=False)["input_ids"]]
    return sum(min(n + 1, max_new_tokens) for n in lengths)


if __name__ == "__main__":
    main()

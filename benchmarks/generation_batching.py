"""Batched vs one-by-one generation on 32 world prompts (issue: batched must be >= 3x faster).

    python benchmarks/generation_batching.py [--prompts 32] [--max-new-tokens 48] [--json out.json]

Prints both wall-clock times and the speedup; the last line is JSON.
"""

import argparse
import sys
import time
from pathlib import Path

from eval.generate import DecodingConfig, generate
from pdbench.models import resolve_model_path
from pdbench.world import heldout_specs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--json")
    args = parser.parse_args()

    specs = [s for family in heldout_specs(n_per_family=args.prompts, seed=0).values() for s in family]
    prompts = [s.prompt for s in specs][: args.prompts]
    model = resolve_model_path("smollm2-135m-instruct")
    timings = {}
    for label, batch_size in (("one_by_one", 1), ("batched", args.batch_size)):
        decoding = DecodingConfig(max_new_tokens=args.max_new_tokens, batch_size=batch_size)
        with scratch_cache():  # a fresh cache per measurement: we time generation, not cache hits
            started = time.perf_counter()
            outputs = generate(model, prompts, decoding, "bench")
            timings[label] = time.perf_counter() - started
        print(f"{label:<11} batch={batch_size:<3} {timings[label]:7.1f} s  ({len(outputs)} prompts)")
    summary = {**{f"{k}_s": round(v, 2) for k, v in timings.items()}, "prompts": len(prompts),
               "max_new_tokens": args.max_new_tokens, "batch_size": args.batch_size,
               "speedup": round(timings["one_by_one"] / timings["batched"], 2)}
    print(f"speedup: {summary['speedup']}x")
    report(summary, args.json)


if __name__ == "__main__":
    main()

"""Time the embedded SmolLM2: first conversion, a later load, and batched greedy generation.

    python benchmarks/model_load.py [--json out.json] [--device cpu]

The conversion runs into a fresh temporary cache, so it is always the first one. The results are
printed, and the last line of stdout is the JSON record (also written to --json when given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time

import torch
import transformers

from pdbench.infra import models
from pdbench.infra.cache import ENV_CACHE_DIR

PROMPTS = [
    "What is the capital of France?",
    "Name three primary colors.",
    "What is 2 + 2?",
    "Give one tip for sleeping better.",
    "Translate 'good morning' into Spanish.",
    "Why is the sky blue? Answer briefly.",
    "Write a haiku about autumn.",
    "What does a CPU do?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the JSON record to this path")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--new-tokens", type=int, default=48)
    args = parser.parse_args()

    cache = tempfile.mkdtemp(prefix="pdbench-bench-")
    os.environ[ENV_CACHE_DIR] = cache
    try:
        start = time.perf_counter()
        models.resolve_model_path(models.SMOLLM2)
        convert_s = time.perf_counter() - start

        start = time.perf_counter()
        model, tokenizer = models.load_causal_lm(models.SMOLLM2, device=args.device)
        load_s = time.perf_counter() - start

        inputs = tokenizer.apply_chat_template(
            [[{"role": "user", "content": p}] for p in PROMPTS],
            add_generation_prompt=True, padding=True, return_tensors="pt", return_dict=True,
        ).to(model.device)
        start = time.perf_counter()
        with torch.no_grad():
            output = model.generate(**inputs, max_new_tokens=args.new_tokens, do_sample=False)
        generate_s = time.perf_counter() - start
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    new_tokens = output[:, inputs["input_ids"].shape[1] :]
    answers = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
    for prompt, answer in zip(PROMPTS, answers):
        print(f"{prompt!r} -> {answer.strip()!r}")
    # Tokens before each row's first pad (= eos here): finished rows emit pad until the batch ends.
    generated = int((new_tokens != tokenizer.pad_token_id).cumprod(dim=1).sum())
    record = {
        "first_conversion_s": round(convert_s, 2),
        "second_load_s": round(load_s, 2),
        "generate_s": round(generate_s, 2),
        "batch": len(PROMPTS),
        "max_new_tokens": args.new_tokens,
        "generated_tokens": generated,
        "tokens_per_s": round(generated / generate_s, 1),
        "paris_mentioned": "Paris" in answers[0],
        "device": args.device,
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
    }
    print(f"first conversion {convert_s:.1f} s, second load {load_s:.2f} s, "
          f"generation {generate_s:.2f} s for {len(PROMPTS)}x{args.new_tokens} tokens")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
    print(json.dumps(record))


if __name__ == "__main__":
    main()

"""Judge throughput with a cold vs a warm verdict cache.

    python benchmarks/judge_throughput.py [--pairs 200] [--judge rubric|openai:MODEL]
                                          [--judge-base-url URL] [--json out.json]

Judges ``--pairs`` (prompt, response A, response B) triples from the world's training records,
each in both orders as every pdbench evaluation does, first with an empty cache and then again
with the cache it filled. The warm pass must make zero judge requests; its throughput is what a
re-run or a resumed evaluation sees. ``--judge openai:MODEL`` measures a real OpenAI-compatible
endpoint instead (key from ``--judge-api-key-env``). The last line is JSON.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--judge", default="rubric")
    parser.add_argument("--judge-base-url")
    parser.add_argument("--judge-api-key-env", default="OPENAI_API_KEY")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json")
    args = parser.parse_args()

    from pdbench.eval.judge_cache import JudgeCache
    from pdbench.eval.pairwise import judge_pairs
    from pdbench.world import PromptSpec, build_world

    records = build_world(n_prompts=args.pairs, seed=0)
    prompts = [r["instruction"] for r in records]
    first = [r["completions"][0]["response"] for r in records]
    second = [r["completions"][1]["response"] for r in records]
    judge = _judge(args, {r["instruction"]: PromptSpec.from_dict(r["world_spec"]) for r in records})

    timings, requests = {}, {}
    with tempfile.TemporaryDirectory(prefix="pdbench-bench-") as folder:
        cache = JudgeCache(Path(folder) / "judge.sqlite")
        for label in ("cold", "warm"):
            before = judge.requests
            started = time.perf_counter()
            judge_pairs(judge, prompts, first, second, cache, max_workers=args.workers, desc=f"judging ({label})")
            timings[label] = time.perf_counter() - started
            requests[label] = judge.requests - before
    verdicts = 2 * len(prompts)
    summary = {
        "judge": judge.identity,
        "verdicts": verdicts,
        "cold_s": round(timings["cold"], 3),
        "warm_s": round(timings["warm"], 3),
        "cold_verdicts_per_s": round(verdicts / timings["cold"], 1),
        "warm_verdicts_per_s": round(verdicts / timings["warm"], 1),
        "cold_requests": requests["cold"],
        "warm_requests": requests["warm"],
    }
    report(summary, args.json)


def _judge(args, specs_by_prompt):
    if args.judge == "rubric":
        from pdbench.eval.judges.rubric_judge import RubricJudge

        return RubricJudge(specs_by_prompt)
    from pdbench.eval.config import JudgeConfig
    from pdbench.eval.judges.openai_judge import OpenAIJudge

    model = args.judge.split(":", 1)[1]
    return OpenAIJudge(JudgeConfig(kind="openai", model=model, base_url=args.judge_base_url, api_key_env=args.judge_api_key_env))


if __name__ == "__main__":
    main()

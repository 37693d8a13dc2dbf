"""Stage timings, selection overhead ratio and peak memory of one `pdbench run` cell.

    python benchmarks/tiny_cell.py [--preset tiny] [--strategy ours] [--conflict 0.3] [--budget 0.3]
                                   [--cache-dir DIR] [--json out.json]

Runs the pipeline once, with the `overall` baseline (DPO on the full pair set), in a fresh cache
(deleted afterwards) unless ``--cache-dir`` points at one, and prints:

* the stage timings: data, reward-model training, PD scoring, DPO on the selection, generation,
  judging — and the one-time `overall` baseline DPO on the full data;
* the selection overhead ratio = (reward-model training + PD scoring) / (DPO on the full data),
  both measured in this run on this machine (the paper's is 8.5 / 33.6 ≈ 0.25 GPU-hours);
* the peak resident memory of this process and of its largest child (training runs in one);
* the targets of issue 14 beside the figures measured before it (quoted from docs/results-tiny.md,
  not re-run: the old pipeline takes 38 minutes) and this machine's float32 matmul peak, measured
  after the run, so that times from different machines can be compared.

On an empty cache the run is the README's main command (``pdbench run --strategy ours --conflict
0.3 --budget 0.3``) minus its MLflow logging. No MLflow run is made. The last line is JSON.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report, scratch_cache  # noqa: E402
from dpo_throughput import matmul_peak_flops  # noqa: E402

BEFORE = {"cell_min": 12.9, "overall_baseline_s": 1524, "run_wall_min": 38.3, "peak_rss_largest_child_gb": 5.6}
"""The tiny cell before issue 14 (docs/results-tiny.md, 2 cores, matmul peak 219 GFLOP/s)."""
TARGETS = {"cell_min": 7, "overall_baseline_s": 12 * 60, "run_wall_min": 20, "peak_rss_gb": 6}
"""Issue 14's targets."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--strategy", default="ours")
    parser.add_argument("--conflict", type=float, default=0.3)
    parser.add_argument("--budget", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", default="overall",
                        help="sft: time the cell alone (no full-data DPO; the baseline answers are the SFT ones)")
    parser.add_argument("--cache-dir", help="reuse this cache (default: a fresh one, so nothing is reused)")
    parser.add_argument("--json")
    args = parser.parse_args()
    with scratch_cache(args.cache_dir), tempfile.TemporaryDirectory(prefix="pdbench-bench-run-") as run_dir:
        summary = measure(args, Path(run_dir))
    report(summary, args.json)


def measure(args: argparse.Namespace, run_dir: Path) -> dict:
    """Run the cell into ``run_dir`` and return its stage timings, overhead ratio and peak memory."""
    from pdbench.pipeline.config import resolve_config
    from pdbench.pipeline.runner import run_pipeline

    config = resolve_config(args.preset, strategy=args.strategy, conflict=args.conflict, budget=args.budget,
                            seed=args.seed, baseline=args.baseline)
    started = time.perf_counter()
    result = run_pipeline(config, run_dir)
    total = time.perf_counter() - started

    costs = result.costs
    selection = costs["selection"].get("parts", {})
    rm_training = sum(v for k, v in selection.items() if k.endswith("rm_training"))
    scoring = sum(v for k, v in selection.items() if k.endswith("scoring"))
    full_dpo = costs["baseline"]["seconds"]
    evaluation = costs["evaluation"].get("parts", {})
    cell = total - full_dpo  # the cell as a user re-running with a cached baseline would wait for it
    return {
        "preset": args.preset, "strategy": args.strategy, "conflict": args.conflict, "budget": args.budget,
        "selected_pairs": result.plan.rows,
        "data_s": round(costs["data"]["seconds"], 1),
        "rm_training_s": round(rm_training, 1),
        "pd_scoring_s": round(scoring, 1),
        "dpo_selection_s": round(costs["training"]["seconds"], 1),
        "generation_s": round(costs["generation"]["seconds"], 1),
        "judging_s": round(evaluation.get("judging", 0.0), 1),
        "evaluation_total_s": round(costs["generation"]["seconds"] + costs["evaluation"]["seconds"], 1),
        "dpo_full_data_s (overall baseline)": round(full_dpo, 1),
        "cell_wall_excluding_baseline_min": round(cell / 60, 2),
        "run_wall_min": round(total / 60, 2),
        "selection_overhead_ratio": round((rm_training + scoring) / full_dpo, 4) if full_dpo else None,
        "baseline": args.baseline,
        "dpo_selection_cpu_utilization_pct (machine, mean)": _mean_cpu(costs["training"]),
        "peak_rss_self_gb": round(_max_rss_gb(resource.RUSAGE_SELF), 2),
        "peak_rss_largest_child_gb": round(_max_rss_gb(resource.RUSAGE_CHILDREN), 2),
        "before: cell / baseline / run (min)": f"{BEFORE['cell_min']} / {BEFORE['overall_baseline_s'] / 60:.1f} / "
                                                 f"{BEFORE['run_wall_min']}",
        "targets: cell / baseline / run (min), RSS (GB)": (
            f"{TARGETS['cell_min']} / {TARGETS['overall_baseline_s'] / 60:.0f} / {TARGETS['run_wall_min']}, "
            f"{TARGETS['peak_rss_gb']}"),
        "matmul_peak_gflops": round(matmul_peak_flops() / 1e9, 1),
        "aw": round(result.pairwise.aw, 3),
        "aw_std": round(result.pairwise.aw_std, 3),
        "device": result.gpu_hours.device,
    }


def _mean_cpu(stage: dict) -> float | None:
    """Mean machine-wide CPU use while the stage ran (100 = every core busy), from its system-metrics samples."""
    readings = [m["system/cpu_utilization_percentage"] for m in stage.get("system_metrics") or []]
    return round(sum(readings) / len(readings), 1) if readings else None


def _max_rss_gb(who: int) -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(who).ru_maxrss / 2**20


if __name__ == "__main__":
    main()

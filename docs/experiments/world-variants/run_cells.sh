#!/usr/bin/env bash
# Runs the world-variants experiment (docs/experiments/world-variants.md) one cell at a time, from a
# git worktree fixed at one commit, so edits in the main checkout never change the code under it:
#
#   git worktree add ../wt-exp 5c41291
#   setsid nohup docs/experiments/world-variants/run_cells.sh ../wt-exp > runs/variant_loop.log 2>&1 &
#
# Order: the positive control first and, within a variant, the cells of the ours-vs-rand comparison
# for every seed (overall is also the baseline) before all / high. Resumable: a sweep skips finished
# cells. Output: runs/variant-<variant>/ (sweep folders) and runs/cell-<variant>-<seed>-<strategy>.log
# in the main checkout. One training process at a time (the CPU lock is shared with benchmarks).
source "$(dirname "$0")/../driver_env.sh" "$1"   # MAIN, WT, PYTHON; cd "$WT"
cell() {  # variant seed strategy
  echo "=== $(date +%T) $1 seed $2 $3 (commit $(git -C "$WT" rev-parse --short HEAD))"
  # At 5c41291 `--strategies all` alone means every strategy; "all,sft" is the `all` strategy plus the
  # seed's sft cell, which the sweep has already finished (the sft cells run first) and so skips.
  local strategies=$3; [ "$3" = all ] && strategies=all,sft
  flock /tmp/pdbench-cpu.lock "$PYTHON" -m pdbench.cli sweep --strategies "$strategies" \
    --conflicts 0.3 --budgets 0.3 --seeds "$2" --config mlproject/world_variants.yaml \
    --dataset "world:$1" --no-track --sweep-dir "$MAIN/runs/variant-$1" > "$MAIN/runs/cell-$1-$2-$3.log" 2>&1
  echo "=== $(date +%T) done rc=$?"
}
for variant in positive_control decoupled no_length_bias; do
  for seed in 0 1 2; do for strategy in overall ours rand sft; do cell $variant $seed $strategy; done; done
  for seed in 0 1 2; do for strategy in all high; do cell $variant $seed $strategy; done; done
done

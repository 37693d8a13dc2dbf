#!/usr/bin/env bash
# Runs the powered-comparisons experiment (docs/experiments/powered-comparisons.md) one seed at a time, from a
# git worktree fixed at one commit, so edits in the main checkout never change the code under it:
#
#   git worktree add ../wt-powered <the commit that pre-registered the experiment, or a later one named there>
#   setsid nohup docs/experiments/powered-comparisons/run_cells.sh ../wt-powered > runs/powered_loop.log 2>&1 &
#
# Order, interleaved so that a run stopped by its budget leaves complete seeds of both worlds: for i = 0..11,
# decoupled seed 3+i (part A), then while i < 6 default-world seed 3+i (part B), then while i < 4 the
# training-order replicate of default-world data seed 3+i (part D: ours and rand with train.seed 1). Each step
# is one `pdbench sweep` of one seed (sft, overall, all, rand, ours, high; the sft cell trains nothing). Resumable:
# a sweep skips the cells its folder records as finished. Output: runs/powered-{decoupled,default,train-order}/
# and a log per step, runs/powered-<part>-<seed>.log, in the main checkout. One training process at a time (the
# CPU lock is shared with benchmarks and other experiments).
source "$(dirname "$0")/../driver_env.sh" "$1"   # MAIN, WT, PYTHON; cd "$WT"
STRATEGIES=sft,overall,all,rand,ours,high   # `all` among others is the strategy; alone it would mean every one
step() {  # part seed strategies config dataset
  echo "=== $(date +%T) $1 seed $2 (commit $(git -C "$WT" rev-parse --short HEAD))"
  flock /tmp/pdbench-cpu.lock "$PYTHON" -m pdbench.cli sweep --strategies "$3" --conflicts 0.3 --budgets 0.3 \
    --seeds "$2" --config "$4" --dataset "$5" --no-track --sweep-dir "$MAIN/runs/powered-$1" \
    > "$MAIN/runs/powered-$1-$2.log" 2>&1
  echo "=== $(date +%T) done rc=$?"
}
for i in $(seq 0 11); do
  seed=$((3 + i))
  step decoupled $seed $STRATEGIES mlproject/world_variants.yaml world:decoupled
  [ "$i" -lt 6 ] && step default $seed $STRATEGIES mlproject/world_variants.yaml world
  [ "$i" -lt 4 ] && step train-order $seed ours,rand mlproject/powered_train_order.yaml world
done
echo "=== $(date +%T) all steps done; collect with:"
echo "docs/experiments/collect_cells.sh docs/experiments/powered-comparisons/cells decoupled=runs/powered-decoupled default=runs/powered-default train_order=runs/powered-train-order"

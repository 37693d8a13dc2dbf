#!/usr/bin/env bash
# Copies the experiment's finished cells from runs/variant-<variant>/ into
# docs/experiments/world-variants/cells/<variant>/<cell>/ (docs/experiments/collect_cells.sh: result.json without
# the raw 5-second system samples, config.json, samples.json with every answer, plan/diagnostics.json).
# Then: python benchmarks/world_variants_verdicts.py docs/experiments/world-variants/cells
set -u
MAIN=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$MAIN"
pairs=()
for sweep in runs/variant-*/; do
  variant=$(basename "$sweep"); pairs+=("${variant#variant-}=${sweep%/}")
done
docs/experiments/collect_cells.sh docs/experiments/world-variants/cells "${pairs[@]}"

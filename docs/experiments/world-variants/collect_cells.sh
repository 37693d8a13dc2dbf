#!/usr/bin/env bash
# Copies the experiment's finished cells from runs/variant-<variant>/ into
# docs/experiments/world-variants/cells/<variant>/<cell>/: result.json (without the raw 5-second
# system samples, which make a result 0.3-0.5 MB), config.json, samples.json (every answer) and
# plan/diagnostics.json. Then: python benchmarks/world_variants_verdicts.py docs/experiments/world-variants/cells
set -u
MAIN=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$MAIN"
for cell in runs/variant-*/*/; do
  [ -f "$cell/result.json" ] || continue
  variant=$(basename "$(dirname "$cell")"); variant=${variant#variant-}
  out=docs/experiments/world-variants/cells/$variant/$(basename "$cell")
  mkdir -p "$out/plan"
  cp "$cell/config.json" "$cell/samples.json" "$out/"
  cp "$cell/plan/diagnostics.json" "$out/plan/"
  python3 -c "import json, sys; r = json.load(open(sys.argv[1])); [c.pop('system_metrics', None) for c in r['costs'].values() if isinstance(c, dict)]; json.dump(r, open(sys.argv[2], 'w'), indent=1)" \
    "$cell/result.json" "$out/result.json"
done
du -sh docs/experiments/world-variants/cells

#!/usr/bin/env bash
# Copies an experiment's finished cells into the repository:
#
#   docs/experiments/collect_cells.sh DEST NAME=SWEEP_DIR [NAME=SWEEP_DIR ...]
#
# puts each finished cell of SWEEP_DIR under DEST/NAME/<cell>/: result.json (without the raw 5-second system
# samples, which make a result 0.3-0.5 MB), config.json, samples.json (every answer) and plan/diagnostics.json
# (an sft cell selects nothing and has none). Cells already copied are copied again (a re-run cell replaces them).
set -u
DEST=$1; shift
for pair in "$@"; do
  name=${pair%%=*}; sweep=${pair#*=}
  for cell in "$sweep"/*/; do
    [ -f "$cell/result.json" ] || continue
    out=$DEST/$name/$(basename "$cell")
    mkdir -p "$out"
    cp "$cell/config.json" "$cell/samples.json" "$out/"
    if [ -f "$cell/plan/diagnostics.json" ]; then mkdir -p "$out/plan" && cp "$cell/plan/diagnostics.json" "$out/plan/"; fi
    python3 -c "import json, sys; r = json.load(open(sys.argv[1])); [c.pop('system_metrics', None) for c in r['costs'].values() if isinstance(c, dict)]; json.dump(r, open(sys.argv[2], 'w'), indent=1)" \
      "$cell/result.json" "$out/result.json"
  done
done
du -sh "$DEST"

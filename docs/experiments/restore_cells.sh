#!/usr/bin/env bash
# The inverse of collect_cells.sh, for resuming an experiment on a new machine (runs/ is not in git):
#
#   docs/experiments/restore_cells.sh SRC NAME=SWEEP_DIR [NAME=SWEEP_DIR ...]
#
# copies each committed cell SRC/NAME/<cell>/ into SWEEP_DIR/<cell>/ and records it as finished (untracked) in
# SWEEP_DIR/sweep.json, so that the experiment's driver skips it instead of training it again. Cells already in
# SWEEP_DIR are left as they are; the state file's other entries are kept.
set -eu
SRC=$1; shift
for pair in "$@"; do
  name=${pair%%=*}; sweep=${pair#*=}
  [ -d "$SRC/$name" ] || { echo "restore_cells: $SRC/$name does not exist" >&2; exit 1; }
  mkdir -p "$sweep"
  python3 - "$SRC/$name" "$sweep" <<'EOF'
import json, shutil, sys
from pathlib import Path
src, sweep = Path(sys.argv[1]), Path(sys.argv[2])
state_file = sweep / "sweep.json"
state = json.loads(state_file.read_text()) if state_file.exists() else {"parent_run_id": None, "done": {}}
restored = []
for cell in sorted(p for p in src.iterdir() if (p / "result.json").exists()):
    if not (sweep / cell.name / "result.json").exists():
        shutil.copytree(cell, sweep / cell.name, dirs_exist_ok=True)
        restored.append(cell.name)
    state["done"].setdefault(cell.name, "untracked")
state_file.write_text(json.dumps(state, indent=1))
print(f"{sweep}: {len(restored)} cell(s) restored from {src}, {len(state['done'])} recorded as finished")
EOF
done

# Sourced by an experiment's run_cells.sh (docs/experiments/<name>/run_cells.sh WORKTREE): sets MAIN (the main
# checkout, where runs/ and the logs go), WT (the worktree fixed at the experiment's commit, whose code runs) and
# PYTHON (the main checkout's virtual environment unless $PYTHON names another), moves into WT and puts its code
# first on the path; the stage cache stays shared ($PDBENCH_CACHE_DIR, else ~/.cache/pdbench).
set -u
MAIN=$(cd "$(dirname "$0")/../../.." && pwd)
WT=$(cd "$1" && pwd)
PYTHON=${PYTHON:-$MAIN/.venv/bin/python}
cd "$WT"
export PYTHONPATH=$WT PDBENCH_CACHE_DIR=${PDBENCH_CACHE_DIR:-$HOME/.cache/pdbench}
mkdir -p "$MAIN/runs"

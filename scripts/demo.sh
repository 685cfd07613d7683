#!/usr/bin/env bash
# The main demo: why deep sigmoid nets barely learn and what made depth trainable.
# Sets up .venv (the "demo" extra), runs the quick experiments on 2 processes
# (resuming: finished tasks in out/experiments are skipped), prints the summary
# table and writes the HTML report. Arguments go to `python -m nn.experiments
# run`, e.g. `bash scripts/demo.sh --only deep_relu` or `--seeds 3` (the results
# always go to out/experiments).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
AG_EXTRAS="demo"
source scripts/setup.sh
OUT="out/experiments"
status=0
# A failed task is reported by the run; the report of the others is still worth writing.
.venv/bin/python -m nn.experiments run --quick --jobs 2 --out "$OUT" "$@" || status=$?
.venv/bin/python -m nn.experiments report "$OUT"
echo "Open the report in a browser (one file, no network needed)."
exit "$status"

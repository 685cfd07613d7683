#!/usr/bin/env bash
# Run the demo: sets up .venv with the examples extra, then examples/demo.py.
# Arguments go to the demo, e.g. `bash scripts/demo.sh --out out`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
AG_EXTRAS="test,examples"
source scripts/setup.sh
exec .venv/bin/python examples/demo.py "$@"

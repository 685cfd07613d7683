#!/usr/bin/env bash
# Run the test suite: sets up .venv (scripts/setup.sh), then pytest.
# Arguments go to pytest, e.g. `bash scripts/test.sh tests/nn -k linear`.
# HYPOTHESIS_PROFILE picks the Hypothesis profile (default here: ci).
# Exits with pytest's code; 5 (no tests collected) counts as a failure.
# -rs: the reason for every skipped test is printed in the summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
AG_EXTRAS="test,notebooks"
source scripts/setup.sh
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
exec .venv/bin/python -m pytest -p no:cacheprovider -rs "$@"

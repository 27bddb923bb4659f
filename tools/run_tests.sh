#!/usr/bin/env bash
# Install into .venv (tools/install.sh) and run the test suite.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$REPO/tools/install.sh" "$REPO/.venv"
cd "$REPO"
START=$(date +%s)
"$REPO/.venv/bin/python" -m pytest tests -q -p no:cacheprovider --durations=15 "$@"
echo "[tests] $(( $(date +%s) - START ))s"

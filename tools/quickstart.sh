#!/usr/bin/env bash
# README command 1: install, then train and evaluate the tiny paired example
# on generated data, on CPU. Results go to work_dirs/quickstart/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash tools/install.sh "$REPO/.venv"
PY="$REPO/.venv/bin/python"
CONFIG=configs/examples/siamese-diff_mit-tiny_toy-pairs-64x64.py
WORK=work_dirs/quickstart
if [ ! -d data/toy_pairs ]; then
    "$PY" tools/misc/make_toy_pairs.py data/toy_pairs --num-train 32 --num-test 8
fi
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK"
"$PY" tools/test.py "$CONFIG" "$WORK/iter_200.pth" --work-dir "$WORK/test" \
    --show-dir "$WORK/show"
echo "logs, checkpoints and metrics: $WORK; visualisations: $WORK/test/*/$WORK/show"

#!/usr/bin/env bash
# README command 1 (the main job): install, generate a small SynLCD, train the
# CPU-sized CADNet and the SegFormer-B0 baseline on the same budget, evaluate
# both on the held-out-pattern test split and print them side by side.
# Everything goes to work_dirs/quickstart/ (metrics, logs, checkpoints,
# inspected | reference | ground truth | prediction | heat-map panels).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
START=$(date +%s)
stamp() { echo "[quickstart $(( $(date +%s) - START ))s] $*"; }
bash tools/install.sh "$REPO/.venv"
PY="$REPO/.venv/bin/python"
DATA=data/synlcd_mini
WORK=work_dirs/quickstart
if [ ! -f "$DATA/manifest.json" ]; then
    stamp "generating SynLCD-mini in $DATA"
    "$PY" tools/dataset_converters/synlcd.py "$DATA" --num-train 280 \
        --num-test 120 --size 128 --seed 0 --workers 2
fi
SHOW="default_hooks.visualization.interval=20"
for RUN in cadnet/cadnet_mit-b0_1xb8-600i_synlcd-mini-128x128 segformer/segformer_mit-b0_1xb8-600i_synlcd-mini-128x128; do
    NAME="$(basename "$RUN")"
    stamp "training $RUN"
    "$PY" tools/train.py "configs/$RUN.py" --work-dir "$WORK/$NAME"
    stamp "testing $RUN"
    "$PY" tools/test.py "configs/$RUN.py" "$WORK/$NAME/iter_600.pth" \
        --work-dir "$WORK/$NAME" --show-dir "$WORK/$NAME/show" --cfg-options "$SHOW"
done
stamp "results on the SynLCD-mini test split (3 held-out patterns)"
"$PY" tools/analysis_tools/compare_runs.py \
    "CADNet-B0=$WORK/cadnet_mit-b0_1xb8-600i_synlcd-mini-128x128" \
    "SegFormer-B0=$WORK/segformer_mit-b0_1xb8-600i_synlcd-mini-128x128" \
    --keys mIoU mIoU_defect IoU.line IoU.abpt mFscore_defect aAcc \
    | tee "$WORK/results.md"
stamp "done: $WORK/results.md, visualisations in $WORK/*/show/vis_data/vis_image/"

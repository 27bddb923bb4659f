#!/usr/bin/env bash
# README command 1 (the main job): install, generate a small SynLCD, train the
# CPU-sized CADNet and the SegFormer-B0 baseline on the same budget, evaluate
# both on the held-out-pattern test split and print them side by side.
# Then the CPU-sized CAT on a small SynSurface (defect-free training images,
# held-out scratches/pits/stains/cracks at test time) and its anomaly metrics.
# Everything goes to work_dirs/quickstart/ (metrics, logs, checkpoints,
# inspected | reference | ground truth | prediction | heat-map panels); a
# re-run replaces the quickstart's own runs there (--overwrite).
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
    "$PY" tools/train.py "configs/$RUN.py" --work-dir "$WORK/$NAME" --overwrite
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
SURF=data/synsurface_128
if [ ! -f "$SURF/manifest.json" ]; then
    stamp "generating SynSurface in $SURF"
    "$PY" tools/dataset_converters/synsurface.py "$SURF" --num-train 240 \
        --num-val 40 --num-test 80 --size 128 --seed 0 --workers 2
fi
CAT=cat/cat_swin-nano_1xb8-400i_synsurface-128x128
CAT_NAME="$(basename "$CAT")"
stamp "training $CAT"
"$PY" tools/train.py "configs/$CAT.py" --work-dir "$WORK/$CAT_NAME" --overwrite
stamp "testing $CAT"
"$PY" tools/test.py "configs/$CAT.py" "$WORK/$CAT_NAME/iter_400.pth" \
    --work-dir "$WORK/$CAT_NAME" --show-dir "$WORK/$CAT_NAME/show" \
    --cfg-options default_hooks.visualization.interval=10
stamp "anomaly metrics (image/pixel AUROC, PRO) on SynLCD-mini (CADNet) and SynSurface (CAT)"
"$PY" tools/analysis_tools/compare_runs.py \
    "CADNet-B0 (SynLCD-mini)=$WORK/cadnet_mit-b0_1xb8-600i_synlcd-mini-128x128" \
    "CAT-nano (SynSurface)=$WORK/$CAT_NAME" \
    --keys image_AUROC pixel_AUROC PRO AP_loc F1_max \
    | tee -a "$WORK/results.md"
stamp "done: $WORK/results.md, visualisations in $WORK/*/show/vis_data/vis_image/"

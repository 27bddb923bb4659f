#!/usr/bin/env bash
# Create a virtual environment with the pinned OpenMMLab stack and mmdefect.
#
#   bash tools/install.sh [VENV]        (default: .venv in the repository)
#
# Steps: torch/torchvision (requirements/constraints.txt), the build
# requirements, onedl-mmcv with its C++ ops (built once per torch version and
# cached under $MMDEFECT_CACHE, default ~/.cache/mmdefect), the runtime and
# test requirements, then mmdefect itself in editable mode.
# Environment: MAX_JOBS (parallel compile jobs, default 2),
# MMCV_CFLAGS (default "-O1 -g0": the ops are only exercised lightly on CPU,
# and this roughly halves the compile time of the 78 C++ files).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$REPO/.venv}"
CACHE="${MMDEFECT_CACHE:-$HOME/.cache/mmdefect}"
CONSTRAINTS="$REPO/requirements/constraints.txt"
START=$(date +%s)
log() { echo "[install $(( $(date +%s) - START ))s] $*"; }
pin() { sed -n "s/^$1==\(.*\)$/\1/p" "$CONSTRAINTS"; }
PIP=(python -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS")

log "virtual environment $VENV"
python3 -m venv "$VENV"
export PATH="$VENV/bin:$PATH"

log "torch + torchvision"
"${PIP[@]}" torch torchvision
log "build requirements"
"${PIP[@]}" -r "$REPO/requirements/build.txt" onedl-mmengine opencv-python

MMCV_VERSION="$(pin onedl-mmcv)"
TORCH_VERSION="$(python -c 'import torch; print(torch.__version__)')"
WHEELS="$CACHE/wheels/onedl-mmcv-$MMCV_VERSION-torch-$TORCH_VERSION"
if ! ls "$WHEELS"/onedl_mmcv-*.whl >/dev/null 2>&1; then
    BUILD="$CACHE/build/onedl-mmcv-$MMCV_VERSION-torch-$TORCH_VERSION"
    SRC="$BUILD/onedl_mmcv-$MMCV_VERSION"
    if [ ! -d "$SRC" ]; then
        log "downloading the onedl-mmcv $MMCV_VERSION source"
        mkdir -p "$BUILD"
        python -m pip download -q --no-deps --no-binary :all: \
            "onedl-mmcv==$MMCV_VERSION" -d "$BUILD"
        tar xzf "$BUILD/onedl_mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD"
        # torch >= 2.14 headers require C++20; onedl-mmcv hard-codes C++17.
        sed -i 's/-std=c++17/-std=c++20/' "$SRC/setup.py"
    fi
    log "building onedl-mmcv $MMCV_VERSION with ops against torch" \
        "$TORCH_VERSION in $SRC (resumes an interrupted build)"
    mkdir -p "$BUILD/out"
    CFLAGS="${MMCV_CFLAGS:--O1 -g0}" MAX_JOBS="${MAX_JOBS:-2}" \
        python -m pip wheel -q --no-build-isolation --no-deps "$SRC" \
        -w "$BUILD/out"
    mkdir -p "$(dirname "$WHEELS")"
    mv "$BUILD/out" "$WHEELS.tmp.$$" && mv "$WHEELS.tmp.$$" "$WHEELS"
fi
log "onedl-mmcv from $WHEELS"
"${PIP[@]}" --no-deps "$WHEELS"/onedl_mmcv-*.whl

log "runtime and test requirements"
"${PIP[@]}" -r "$REPO/requirements.txt"
log "mmdefect (editable)"
"${PIP[@]}" --no-build-isolation --no-deps -e "$REPO"
python - <<'PY'
import mmcv.ops, mmseg, mmpretrain, torch, torchvision
import mmdefect
print(f'torch {torch.__version__}, torchvision {torchvision.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmseg {mmseg.__version__}, '
      f'mmpretrain {mmpretrain.__version__}, mmdefect {mmdefect.__version__}')
PY
log "done"

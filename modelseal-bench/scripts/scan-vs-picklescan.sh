#!/usr/bin/env bash
# Side-by-side: CPU time of `modelseal scan` and of picklescan on the same PyTorch-style
# checkpoint (2 GiB, hundreds of tensors; written by make_torch_checkpoint.py).
#
#   PICKLESCAN_SRC=/tmp/picklescan/src modelseal-bench/scripts/scan-vs-picklescan.sh [WORKDIR]
#
# PICKLESCAN_SRC is a directory holding picklescan's public source package (the `picklescan`
# folder); get it yourself into a temporary location -- it is not part of this repository.
# Each tool runs 3 times after one warm-up run (page cache warm for both); user+sys CPU seconds
# and wall seconds of each run are printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-${TMPDIR:-/tmp}/modelseal-scan-bench}"
mkdir -p "$WORK"
CKPT="$WORK/pytorch_model.bin"
if [ ! -f "$CKPT" ]; then
  python3 "$ROOT/modelseal-bench/scripts/make_torch_checkpoint.py" "$CKPT" --gib 2
fi
ls -l "$CKPT"

measure() { # label, command...
  local label="$1"; shift
  "$@" >/dev/null 2>&1 || true   # warm-up
  for i in 1 2 3; do
    /usr/bin/env time -f "$label run $i: %U user %S sys %e wall (s), max RSS %M KiB" "$@" >/dev/null 2>"$WORK/time.err" || true
    tail -1 "$WORK/time.err"
  done
}

"$ROOT/modelseal" scan "$CKPT" >/dev/null 2>&1 || true  # builds the jar on first use
measure "modelseal scan" "$ROOT/modelseal" scan "$CKPT"
if [ -n "${PICKLESCAN_SRC:-}" ]; then
  measure "picklescan" env PYTHONPATH="$PICKLESCAN_SRC" python3 -m picklescan -p "$CKPT"
else
  echo "PICKLESCAN_SRC not set: picklescan not measured" >&2
fi

#!/usr/bin/env bash
# `inspect` reads headers only. Builds a 20 GB sparse safetensors file (a valid header, 40 tensors of
# 500 MB each, the data a hole) and times whole-process `modelseal inspect` on it, side by side with
# `head -c 64 FILE` as the floor for "open a file and read its start". Reports the median of 5 runs, and
# the page faults of one run (touching the data would fault ~5 million pages).
# Usage: modelseal-bench/scripts/bench-inspect.sh [SIZE_GB]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GB="${1:-20}"
WORK="$(mktemp -d /tmp/modelseal-bench-inspect.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
FILE="$WORK/big.safetensors"

python3 - "$FILE" "$GB" <<'PY'
import json, os, struct, sys
path, gb = sys.argv[1], int(sys.argv[2])
n = 40
per = gb * 1_000_000_000 // n // 4 * 4
header, off = {"__metadata__": {"format": "mlx"}}, 0
for i in range(n):
    header[f"layers.{i}.weight"] = {"dtype": "F32", "shape": [per // 4], "data_offsets": [off, off + per]}
    off += per
h = json.dumps(header, separators=(",", ":")).encode()
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    f.truncate(8 + len(h) + off)
PY
ls -ls "$FILE" | awk '{printf "file: %s bytes apparent, %s KiB allocated\n", $6, $1}'

"$ROOT/modelseal" --version >/dev/null  # build and create the CDS archive outside the timing

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s%N; }
ms=(); base=()
for i in 1 2 3 4 5; do
  t0=$(now); "$ROOT/modelseal" inspect "$FILE" --json >/dev/null; t1=$(now)
  ms+=("$(( (t1 - t0) / 1000000 ))")
  t0=$(now); head -c 64 "$FILE" >/dev/null; t1=$(now)
  base+=("$(( (t1 - t0) / 1000000 ))")
done
m=$(printf '%s\n' "${ms[@]}" | median)
b=$(printf '%s\n' "${base[@]}" | median)
echo "inspect ${GB} GB safetensors: median ${m} ms whole process (runs: ${ms[*]})"
echo "head -c 64 same file:        median ${b} ms"
if command -v /usr/bin/time >/dev/null; then
  /usr/bin/time -v "$ROOT/modelseal" inspect "$FILE" --json 2>&1 >/dev/null \
    | grep -E "Maximum resident|Major|Minor" | sed 's/^\s*/  /'
else
  echo "(install GNU time for page-fault and RSS figures: apt-get install time)"
fi

#!/usr/bin/env bash
# Side-by-side benchmarks of `modelseal hash` (issue #3, DIGESTS.md "The hashing engine").
#
#   modelseal-bench/scripts/bench-hash.sh [--runs N] [--shard-size N] [--keep]
#
# Cases, each on random data in a temporary folder under /tmp (deleted afterwards), warm cache:
#   0. start-up: hashing one byte, modelseal vs openssl, median of 10.
#   1. 4 files x 1 GiB: `modelseal hash DIR --json` vs `ls FILES | xargs -P $(nproc) -n1 openssl dgst
#      -sha256`, taking turns, median of N wall times; goal: ratio <= 1.05.
#   2. one 4 GiB file: `modelseal hash FILE --shard-size S` vs one `openssl dgst -sha256 FILE`;
#      goal: openssl / modelseal >= 1.7 on 2 cores.
#   3. a 4 GiB safetensors file: CPU (user+sys) of `modelseal hash --tensors` vs files only; goal:
#      ratio <= 2.1 (wall times are reported too).
#   Peak RSS of every modelseal run (GNU time); goal: < 200 MiB.
# Optionally, MODEL_TRANSPARENCY_SRC=<checkout>/src adds the Python reference tool's hashing
# (sigstore/model-transparency, its own code through a shim) to the turns of cases 1 and 2.
#
# Needs openssl, python3, GNU time (/usr/bin/time: `apt-get install time`), and JDK 25 + Maven to
# build. The machine should be otherwise idle: the script prints the load average it saw.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS=5
SHARD=100000000
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --shard-size) SHARD="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--runs N] [--shard-size N] [--keep]" >&2; exit 2 ;;
  esac
done

for tool in openssl python3; do
  command -v "$tool" >/dev/null || { echo "bench-hash: $tool is needed" >&2; exit 2; }
done
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f %e true >/dev/null 2>&1; then
  echo "bench-hash: GNU time is needed (apt-get install time)" >&2
  exit 2
fi

MS="$ROOT/modelseal"
JDK="$("$ROOT/scripts/find-jdk25")"
NPROC="$(nproc)"
WORK="$(mktemp -d /tmp/modelseal-bench.XXXXXX)"
if [ "$KEEP" = 0 ]; then
  trap 'rm -rf "$WORK"' EXIT
fi
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

log() { printf '%s\n' "$*" >&2; }

# measure LABEL CMD... : runs CMD (stdout discarded), records wall, user, sys, max RSS (KiB).
measure() {
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.out" "$@" >/dev/null
  printf '%s\t%s\n' "$label" "$(tr ' ' '\t' <"$WORK/time.out")" >>"$RESULTS"
}

# Written data is flushed first, so disk write-back does not run during the timings.
warm() { sync; for _ in 1 2; do cat "$@" >/dev/null; done; }

# --- build once, so no run pays for it --------------------------------------------------------
log "building (if needed)..."
(cd "$ROOT" && JAVA_HOME="$JDK" mvn -B -q -ntp -DskipTests -Dspotless.skip=true \
    -pl modelseal-cli -am package >"$WORK/bench-build.log" 2>&1) \
  || { cat "$WORK/bench-build.log" >&2; exit 2; }
# After the build, which rewrites the jar: the launcher's start-up cache is made here, not in the
# first timed run.
"$MS" --version >/dev/null
IMPL="$("$MS" hash "$ROOT/pom.xml" --debug 2>&1 >/dev/null | sed -n 's/.*SHA-256 by //p')"

# The reference tool's own hashing code (sha256), without its package __init__ (which imports
# the signing stack and sigstore) and with a stub for blake3 (imported, unused for sha256).
cat >"$WORK/pyref.py" <<'PY'
import os, sys, types
src = os.environ["MODEL_TRANSPARENCY_SRC"]
pkg = types.ModuleType("model_signing"); pkg.__path__ = [src + "/model_signing"]
sys.modules["model_signing"] = pkg
stub = types.ModuleType("blake3")
class _B3: AUTO = -1
stub.blake3 = _B3; sys.modules["blake3"] = stub
from model_signing import hashing
path, method = sys.argv[1], sys.argv[2]
cfg = hashing.Config()
if method == "shards":
    cfg.use_shard_serialization(shard_size=int(sys.argv[3]))
for d in cfg.hash(path).resource_descriptors():
    print(d.identifier, d.digest.digest_hex)
PY
PYREF=(python3 "$WORK/pyref.py")
HAVE_PY_REF=0
if [ -n "${MODEL_TRANSPARENCY_SRC:-}" ] && [ -d "$MODEL_TRANSPARENCY_SRC/model_signing" ]; then
  HAVE_PY_REF=1
fi

# --- case 0: start-up, hashing one byte (what every run pays before hashing) --------------------
printf x >"$WORK/one-byte"
for r in $(seq 1 10); do
  measure "c0 modelseal 1 byte" "$MS" hash "$WORK/one-byte" --json
  measure "c0 openssl 1 byte" openssl dgst -sha256 "$WORK/one-byte"
done

# --- case 1: 4 x 1 GiB, files -----------------------------------------------------------------
log "case 1: writing 4 x 1 GiB of random data..."
mkdir -p "$WORK/four"
for i in 0 1 2 3; do openssl rand -out "$WORK/four/f$i.bin" $((1 << 30)); done
warm "$WORK"/four/*
# The digests must agree before any timing means anything.
"$MS" hash "$WORK/four" --json >"$WORK/ms.json"
ls "$WORK"/four/* | xargs -P "$NPROC" -n1 openssl dgst -sha256 -r >"$WORK/openssl.txt"
python3 - "$WORK/ms.json" "$WORK/openssl.txt" <<'PY'
import json, os, sys
ours = {f["path"]: f["digest"] for f in json.load(open(sys.argv[1]))["files"]}
theirs = {os.path.basename(l.split()[1].lstrip("*")): l.split()[0] for l in open(sys.argv[2])}
assert ours == theirs, (ours, theirs)
PY
if [ "$HAVE_PY_REF" = 1 ]; then
  "${PYREF[@]}" "$WORK/four" files >"$WORK/pyref.txt"
  python3 - "$WORK/ms.json" "$WORK/pyref.txt" <<'PY'
import json, sys
ours = {f["path"]: f["digest"] for f in json.load(open(sys.argv[1]))["files"]}
theirs = dict(l.split() for l in open(sys.argv[2]))
assert ours == theirs, (ours, theirs)
PY
fi
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"
# The contenders take turns (the first of one run goes last in the next), so drift in the
# machine's speed falls on all of them alike.
c1() {
  case "$1" in
    ms) measure "c1 modelseal" "$MS" hash "$WORK/four" --json ;;
    os) measure "c1 openssl" sh -c "ls $WORK/four/* | xargs -P $NPROC -n1 openssl dgst -sha256" ;;
    py) measure "c1 python-ref" "${PYREF[@]}" "$WORK/four" files ;;
  esac
}
C1=(ms os)
[ "$HAVE_PY_REF" = 1 ] && C1+=(py)
for r in $(seq 1 "$RUNS"); do
  for i in $(seq 0 $((${#C1[@]} - 1))); do c1 "${C1[$(((i + r) % ${#C1[@]}))]}"; done
done

# --- case 2: one 4 GiB file, shards -----------------------------------------------------------
log "case 2: one 4 GiB file..."
mkdir -p "$WORK/one"
cat "$WORK"/four/* >"$WORK/one/big.bin"
rm -rf "$WORK/four"
warm "$WORK/one/big.bin"
LOAD2="$(cut -d' ' -f1-3 /proc/loadavg)"
c2() {
  case "$1" in
    ms) measure "c2 modelseal" "$MS" hash "$WORK/one/big.bin" --shard-size "$SHARD" --json ;;
    os) measure "c2 openssl" openssl dgst -sha256 "$WORK/one/big.bin" ;;
    py) measure "c2 python-ref" "${PYREF[@]}" "$WORK/one/big.bin" shards "$SHARD" ;;
  esac
}
for r in $(seq 1 "$RUNS"); do
  for i in $(seq 0 $((${#C1[@]} - 1))); do c2 "${C1[$(((i + r) % ${#C1[@]}))]}"; done
done

# --- case 3: 4 GiB safetensors, tensors vs files ----------------------------------------------
log "case 3: a 4 GiB safetensors file..."
python3 - "$WORK/header.bin" <<'PY'
import json, struct, sys
# 64 F32 tensors of 4096 x 4096 (64 MiB each), contiguous: 4 GiB of data.
n, rows, cols = 64, 4096, 4096
size = rows * cols * 4
header = {"__metadata__": {"format": "pt"}}
for i in range(n):
    header[f"layers.{i}.weight"] = {"dtype": "F32", "shape": [rows, cols],
                                    "data_offsets": [i * size, (i + 1) * size]}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(text)) + text)
PY
cat "$WORK/header.bin" "$WORK/one/big.bin" >"$WORK/model.safetensors"
rm -f "$WORK/one/big.bin"
warm "$WORK/model.safetensors"
TENSORS_VIA="modelseal hash --tensors"
FILES_CMD=("$MS" hash "$WORK/model.safetensors" --json)
TENSORS_CMD=("$MS" hash "$WORK/model.safetensors" --tensors --json)
LOAD3="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$RUNS"); do
  if [ $((r % 2)) = 1 ]; then
    measure "c3 files-only" "${FILES_CMD[@]}"
    measure "c3 tensors" "${TENSORS_CMD[@]}"
  else
    measure "c3 tensors" "${TENSORS_CMD[@]}"
    measure "c3 files-only" "${FILES_CMD[@]}"
  fi
done

# --- report -----------------------------------------------------------------------------------
python3 - "$RESULTS" "$NPROC" "$IMPL" "$SHARD" "$TENSORS_VIA" "$LOAD1" "$LOAD2" "$LOAD3" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
nproc, impl, shard, via, l1, l2, l3, cpu = sys.argv[2:10]
by = {}
for label, wall, user, sysc, rss in rows:
    by.setdefault(label, []).append((float(wall), float(user) + float(sysc), int(rss)))
def med(label, i): return statistics.median(r[i] for r in by[label])
def peak(label): return max(r[2] for r in by[label]) / 1024
print(f"CPU:{cpu}, {nproc} cores; modelseal SHA-256 by {impl}")
print(f"{'run':28} {'n':>2} {'wall med':>9} {'walls':>34} {'cpu med':>8} {'peak RSS':>9}")
for label, rs in by.items():
    walls = " ".join(f"{r[0]:.2f}" for r in rs)
    print(f"{label:28} {len(rs):>2} {med(label,0):>8.2f}s {walls:>34} {med(label,1):>7.2f}s"
          f" {peak(label):>6.0f}MiB")
print()
def best(label): return min(r[0] for r in by[label])
print(f"start-up  modelseal {med('c0 modelseal 1 byte',0):.3f}s wall {med('c0 modelseal 1 byte',1):.3f}s cpu,"
      f" openssl {med('c0 openssl 1 byte',0):.3f}s wall (medians of 10)")
r1 = med("c1 modelseal", 0) / med("c1 openssl", 0)
b1 = best("c1 modelseal") / best("c1 openssl")
print(f"case 1  4x1GiB files   modelseal/openssl wall = {r1:.3f} (medians), {b1:.3f} (best runs)"
      f"  (goal <= 1.05)  load {l1}")
r2 = med("c2 openssl", 0) / med("c2 modelseal", 0)
b2 = best("c2 openssl") / best("c2 modelseal")
print(f"case 2  4GiB --shard-size {shard}: openssl/modelseal wall = {r2:.2f} (medians), {b2:.2f}"
      f" (best runs)  (goal >= 1.7)  load {l2}")
r3 = med("c3 tensors", 1) / med("c3 files-only", 1)
print(f"case 3  4GiB safetensors via {via}: tensors/files CPU = {r3:.2f}  (goal <= 2.1)  load {l3}")
ms = [l for l in by if ("modelseal" in l or l.startswith("c3")) and not l.startswith("c0")]
print(f"peak RSS of modelseal runs: {max(peak(l) for l in ms):.0f} MiB  (goal < 200)")
if "c1 python-ref" in by:
    p1 = med("c1 python-ref", 0)
    print(f"python reference, case 1: {p1:.2f}s wall = {p1 / med('c1 openssl', 0):.3f} of openssl;"
          f" modelseal/python = {med('c1 modelseal', 0) / p1:.3f}")
    p2 = med("c2 python-ref", 0)
    print(f"python reference, case 2: {p2:.2f}s wall; python/modelseal = {p2 / med('c2 modelseal', 0):.2f}")
PY

#!/usr/bin/env bash
# The launcher's JIT choice measured: each capture analysed with C1 alone and tiered (C1 then C2),
# alternating, JSON report to /dev/null, through the launcher (target/connscope) with
# CONNSCOPE_JIT set; prints per capture and mode the wall and CPU (user + system) seconds of each
# round and the peak RSS. Where C1 alone stops winning is where CONNSCOPE_C1_MAX_BYTES belongs
# on this machine (docs/performance.md, "The JIT").
#
#   bench/jit.sh [ROUNDS] CAPTURE...     (default 3 rounds)
#
# Smaller captures from a big one: editcap -r keepalive.pcap ka120.pcap 1-100000
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=3
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  rounds=$1
  shift
fi
[ $# -ge 1 ] || { echo "usage: bench/jit.sh [ROUNDS] CAPTURE..." >&2; exit 2; }
for f in "$@"; do
  [ -f "$f" ] || { echo "jit.sh: no such capture: $f" >&2; exit 2; }
done
[ -x "$ROOT/target/connscope" ] || (cd "$ROOT" && mvn -B -q -o -DskipTests package)
out=$(mktemp /tmp/cs-jit.XXXXXX)
trap 'rm -f "$out"' EXIT
for ((r = 1; r <= rounds; r++)); do
  for f in "$@"; do
    for mode in tiered c1; do
      CONNSCOPE_JIT=$mode /usr/bin/time -a -o "$out" -f "$f $mode %e %U %S %M" \
        "$ROOT/target/connscope" analyze "$f" --format json -o /dev/null > /dev/null
    done
  done
done
echo "| capture | JIT | wall (s), each round | CPU (s), each round | peak RSS (MB) |"
echo "|---|---|---|---|---:|"
awk '{ k = $1 " " $2; w[k] = w[k] (w[k] == "" ? "" : ", ") $3
       c[k] = c[k] (c[k] == "" ? "" : ", ") sprintf("%.2f", $4 + $5)
       if ($6 > m[k]) m[k] = $6; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
     END { for (i = 1; i <= n; i++) { k = order[i]; split(k, p, " ")
             printf "| %s | %s | %s | %s | %d |\n", p[1], p[2], w[k], c[k], m[k] / 1024 } }' "$out"

#!/usr/bin/env bash
# Spark job benchmark (issue 19): times io.connscope.spark.SparkAnalyze in local mode with 1 and
# 2 cores, and `connscope analyze`, over the same set of rotated capture files; prints bytes per
# second, per core, and the peak RSS of each run.
#
#   bench/spark-bench.sh          make the set if missing (bench.sh gen if its captures are
#                                 missing), then time
#
# Environment:
#   BENCH_DATA=bench/data         where bench.sh gen writes keepalive.pcap and close.pcap
#   SPARK_BENCH_SET=$BENCH_DATA/spark-set
#                                 the set: both captures, their client addresses spread over 64
#                                 addresses (bench/spread-clients.py), rotated by tcpdump -C into
#                                 files of SPARK_BENCH_FILE_MB each, as a capture appliance writes
#   SPARK_BENCH_FILE_MB=256       size of each rotated file
#   SPARK_BENCH_CORES="1 2"       local[N] runs
#   SPARK_BENCH_MEM=3g            --driver-memory of the local-mode JVM (driver and executor in one)
#   SPARK_BENCH_TIMEOUT=3600      time bound of each timed command
#   SPARK_BENCH_REPORT=none       the job's --report (the tables are always written; a report of
#                                 the whole multi-GB set does not fit a 3 GB local-mode driver)
#
# The job is started with spark-submit (bench/spark-submit.sh: a Spark installation's when
# SPARK_HOME has one, else Spark's own launcher over the jars of a Spark distribution), master
# local[N]: one JVM, driver and executor. Outputs go to a temporary directory, removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${BENCH_DATA:-$ROOT/bench/data}
SET=${SPARK_BENCH_SET:-$DATA/spark-set}
FILE_MB=${SPARK_BENCH_FILE_MB:-256}
CORES=${SPARK_BENCH_CORES:-1 2}
MEM=${SPARK_BENCH_MEM:-3g}
TIMEOUT=${SPARK_BENCH_TIMEOUT:-3600}
JAR=$ROOT/target/connscope.jar
WORK=$(mktemp -d /tmp/cs-spark-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

[ -f "$JAR" ] || { echo "spark-bench: build first (mvn -DskipTests package)" >&2; exit 2; }
if [ ! -f "$DATA/keepalive.pcap" ] || [ ! -f "$DATA/close.pcap" ]; then
  BENCH_DATA=$DATA "$ROOT/bench/bench.sh" gen
fi
if [ ! -d "$SET" ]; then
  rm -rf "$SET.part"; mkdir -p "$SET.part"
  for c in keepalive:18201 close:18202; do
    # many clients (one host pair is one stage-2 task), then rotated as an appliance writes
    "$ROOT/bench/spread-clients.py" "$DATA/${c%:*}.pcap" "$SET.part/${c%:*}.pcap" "${c#*:}" 64
    tcpdump -Z root -r "$SET.part/${c%:*}.pcap" -w "$SET.part/${c%:*}" -C "$FILE_MB" 2>/dev/null
    rm "$SET.part/${c%:*}.pcap"
  done
  mv "$SET.part" "$SET"
fi
BYTES=$(du -cb "$SET"/* | tail -1 | cut -f1)
FILES=$(find "$SET" -type f | wc -l)
echo "set: $SET, $FILES files, $BYTES bytes"
printf '%-22s %9s %12s %14s %10s\n' run seconds "MB/s" "MB/s per core" "peak RSS"

# timed LABEL CORES CMD...: one run, wall time and peak RSS from /usr/bin/time
timed() {
  local label=$1 cores=$2; shift 2
  local t=$WORK/time.txt
  if ! timeout "$TIMEOUT" /usr/bin/time -f '%e %M' -o "$t" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"; then
    echo "$label failed:" >&2; tail -5 "$WORK/$label.err" >&2; return 1
  fi
  read -r secs kb <"$t"
  python3 -c "import sys; s=float(sys.argv[1]); b=int(sys.argv[2]); c=int(sys.argv[3]); kb=int(sys.argv[4])
print(f'{sys.argv[5]:<22} {s:9.1f} {b/s/1e6:12.1f} {b/s/1e6/c:14.1f} {kb/1024:8.0f} MB')" \
    "$secs" "$BYTES" "$cores" "$kb" "$label"
}

timed analyze 1 java -jar "$JAR" analyze "$SET" -o "$WORK/analyze.json"
for n in $CORES; do
  timed "spark local[$n]" "$n" "$ROOT/bench/spark-submit.sh" --master "local[$n]" \
    --driver-memory "$MEM" --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions="$((n * 4))" --conf spark.local.dir="$WORK/spark-local" \
    --class io.connscope.spark.SparkAnalyze "$JAR" "$SET" \
    --out "$WORK/out-$n" --report "${SPARK_BENCH_REPORT:-none}"
  python3 - "$WORK/analyze.json" "$WORK/spark local[$n].out" <<'PY'
import json, re, sys
a = json.load(open(sys.argv[1]))["summary"]
line = open(sys.argv[2]).read()
n = int(re.search(r"(\d+) connections", line).group(1))
print(f"  connections: analyze {a['connections']}, spark {n}")
PY
  rm -rf "$WORK/out-$n" "$WORK/spark-local"
done

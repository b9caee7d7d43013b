#!/usr/bin/env bash
# Where connscope's CPU and allocation go, per layer: records one analysis with JFR and prints
# bench/jfr-layers.py's tables (Markdown).
#
#   bench/profile.sh bench/data/keepalive.pcap [connscope analyze options, default --format json -o /dev/null]
#
# JFR's "profile" settings with CPU samples every millisecond (jdk.ExecutionSample#period=1ms)
# and its allocation samples (jdk.ObjectAllocationSample, weighted by the bytes they stand for);
# the recording is kept in target/profile/NAME.jfr for `jfr print`. Runs the launcher
# (target/connscope, its JVM settings), builds it when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench/profile.sh CAPTURE [analyze options]" >&2; exit 2; }
capture=$1; shift
[ -f "$capture" ] || { echo "profile.sh: no such capture: $capture" >&2; exit 2; }
[ $# -gt 0 ] || set -- --format json -o /dev/null
[ -x "$ROOT/target/connscope" ] || (cd "$ROOT" && mvn -B -q -o -DskipTests package)
mkdir -p "$ROOT/target/profile"
rec=$ROOT/target/profile/$(basename "$capture" .pcap).jfr
CONNSCOPE_JAVA_OPTS="${CONNSCOPE_JAVA_OPTS:-} -XX:StartFlightRecording=settings=profile,filename=$rec,jdk.ExecutionSample#period=1ms" \
  "$ROOT/target/connscope" analyze "$capture" "$@" 2> >(grep -v '\[jfr,startup\]' >&2)
echo "recording: $rec"
python3 "$ROOT/bench/jfr-layers.py" "$rec"

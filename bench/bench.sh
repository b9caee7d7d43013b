#!/usr/bin/env bash
# Large-capture benchmark: generates big loopback captures, then times connscope against
# tshark and tcpdump on them.
#
#   bench/bench.sh          gen + time
#   bench/bench.sh gen      only (re)generate bench/data/*.pcap
#   bench/bench.sh time     only time the tools on the existing captures
#
# Environment:
#   BENCH_SCALE=1           size factor: keepalive.pcap ~1 GB x scale, close.pcap ~300 MB x scale
#                           (BENCH_SCALE=0.05 for a quick run)
#   BENCH_MAX_SECONDS=240   time bound of each capture generation
#   BENCH_TOOL_TIMEOUT=1800 time bound of each timed command
#   BENCH_RUNS=1            runs per tool and capture (the table shows the fastest run)
#   CONNSCOPE_JAVA_OPTS=    extra JVM options for connscope (default: none; both rows)
#
# Traffic: nginx on 127.0.0.1 serving a 2 KB file, loaded by wrk (-c 8 -t 2), captured with
# tcpdump -s 0 on lo. All processes are started here and stopped by PID; needs root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=$ROOT/bench/data
JAR=$ROOT/target/connscope.jar
WORK=$(mktemp -d /tmp/cs-bench.XXXXXX)
SCALE=${BENCH_SCALE:-1}
MAX_SECONDS=${BENCH_MAX_SECONDS:-240}
TOOL_TIMEOUT=${BENCH_TOOL_TIMEOUT:-1800}
RUNS=${BENCH_RUNS:-1}
SCRIPT=bench.sh
# shellcheck source=../samples/tools/proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/../samples/tools/proc.sh"

nginx_start() {
  mkdir -p "$WORK/www"
  # A deterministic ~2 KB body.
  python3 -c "import sys; open(sys.argv[1],'w').write(''.join(f'line {i:03d} of the connscope benchmark body\n' for i in range(48)))" \
    "$WORK/www/bench.txt"
  nginx_run "$1" "$WORK/www" "types { text/plain txt; }
  keepalive_requests 10000000;
  keepalive_timeout 30s;" "backlog=4096"
}

# generate NAME PORT TARGET_BYTES [WRK_ARGS...]: capture wrk load until TARGET_BYTES or the
# time bound, whichever comes first.
generate() {
  local name=$1 port=$2 target=$3; shift 3
  local out=$DATA/$name.pcap tmp=$DATA/$name.pcap.part err=$WORK/tcpdump-$name.err i size start
  mkdir -p "$DATA"
  rm -f "$tmp"
  nginx_start "$port"
  bg "$err" tcpdump -i lo -s 0 -B 262144 -w "$tmp" "tcp port $port"
  local cap=$BG_PID
  for i in $(seq 50); do grep -qs 'listening on' "$err" && break; sleep 0.1; done
  grep -qs 'listening on' "$err" || die "tcpdump did not start: $(cat "$err")"
  start=$(date +%s.%N)
  bg "$WORK/wrk-$name.log" wrk -c 8 -t 2 -d "${MAX_SECONDS}s" "$@" "http://127.0.0.1:$port/bench.txt"
  local load=$BG_PID
  size=0
  while kill -0 "$load" 2>/dev/null; do
    size=$(stat -c %s "$tmp" 2>/dev/null || echo 0)
    [ "$size" -ge "$target" ] && break
    sleep 0.05
  done
  stop "$load" INT
  stop "$cap" INT
  stop "$NGINX_PID" QUIT
  mv -f "$tmp" "$out"
  size=$(stat -c %s "$out")
  log "$name.pcap: $((size / 1000000)) MB in $(python3 -c "import time,sys; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$start") s;" \
      "tcpdump: $(grep -E 'captured|dropped by kernel' "$err" | tr '\n' ' ')"
}

gen() {
  need tcpdump tcpdump
  need wrk wrk
  need nginx nginx-light
  need ss iproute2
  local ka close
  ka=$(python3 -c "print(int(1e9 * float('$SCALE')))")
  close=$(python3 -c "print(int(3e8 * float('$SCALE')))")
  generate keepalive 18201 "$ka"
  generate close 18202 "$close" -H 'Connection: close'
}

# measure LABEL CMD...: run CMD under /usr/bin/time -v; sets SECONDS_TAKEN (wall clock,
# fastest of BENCH_RUNS) and RSS_MB (peak resident set, largest of the runs).
measure() {
  local label=$1; shift
  local tv=$WORK/time.txt run best="" rss=0 s r t0 t1
  for run in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    if ! timeout "$TOOL_TIMEOUT" /usr/bin/time -v -o "$tv" "$@" >/dev/null 2>"$WORK/$label.err"; then
      log "$label failed or timed out: $(tail -3 "$WORK/$label.err")"
      SECONDS_TAKEN=""; RSS_MB=""; return 0
    fi
    t1=$(date +%s%N)
    s=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e9}")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  SECONDS_TAKEN=$best
  RSS_MB=$(awk "BEGIN{printf \"%.0f\", $rss/1024}")
}

# Build the jar when it is missing or older than the sources.
ensure_jar() {
  if [ -f "$JAR" ] && [ -z "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  log "building $JAR"
  (cd "$ROOT" && { mvn -B -q -o -DskipTests package || mvn -B -q -DskipTests package; }) >&2 || true
  [ -f "$JAR" ] || log "no $JAR: connscope rows will say n/a"
}

time_tools() {
  need tshark tshark
  need tcpdump tcpdump
  [ -x /usr/bin/time ] || { [ "$APT_UPDATED" = 1 ] || apt-get update -qq; APT_UPDATED=1; apt-get install -y -qq time >/dev/null; }
  ensure_jar
  local f name mb cs_s tool rows=()
  shopt -s nullglob
  local files=("$DATA"/*.pcap)
  [ ${#files[@]} -gt 0 ] || die "no captures in $DATA (run: bench/bench.sh gen)"
  for f in "${files[@]}"; do
    name=$(basename "$f")
    mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$f")/1e6}")
    cat "$f" >/dev/null   # every tool reads from the page cache
    cs_s=""
    for tool in connscope "connscope (java -jar)" tshark tcpdump; do
      case $tool in
        connscope)
          # the launcher next to the jar (its JVM settings; CONNSCOPE_JAVA_OPTS come after them)
          if [ -x "$ROOT/target/connscope" ] && [ -f "$JAR" ]; then
            measure connscope "$ROOT/target/connscope" analyze "$f" --format json -o /dev/null
          else
            SECONDS_TAKEN=""; RSS_MB=""
          fi
          cs_s=$SECONDS_TAKEN ;;
        "connscope (java -jar)")
          if [ -f "$JAR" ]; then
            # shellcheck disable=SC2086
            measure connscope-jar java ${CONNSCOPE_JAVA_OPTS:-} -jar "$JAR" analyze "$f" --format json -o /dev/null
          else
            SECONDS_TAKEN=""; RSS_MB=""
          fi ;;
        tshark)
          # Full TCP reassembly + HTTP dissection, one line per request and per response
          # (a response names its request in http.request_in): the same work as pairing.
          measure tshark tshark -n -r "$f" -Y http -T fields -e tcp.stream -e http.request.method \
            -e http.request.uri -e http.response.code -e http.request_in ;;
        tcpdump)
          measure tcpdump tcpdump -r "$f" -w /dev/null ;;
      esac
      rows+=("$(row "$name" "$mb" "$tool" "$SECONDS_TAKEN" "$RSS_MB" "$cs_s")")
    done
  done
  echo
  echo "| capture | tool | seconds | MB/s | peak RSS (MB) | time vs connscope |"
  echo "|---|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
}

row() {
  local name=$1 mb=$2 tool=$3 s=$4 rss=$5 cs=$6
  if [ -z "$s" ]; then
    echo "| $name ($mb MB) | $tool | n/a | n/a | n/a | n/a |"
    return
  fi
  local rate ratio="n/a"
  rate=$(awk "BEGIN{printf \"%.1f\", ($s > 0) ? $mb/$s : 0}")
  [ -n "$cs" ] && ratio=$(awk "BEGIN{printf \"%.2fx\", ($cs > 0) ? $s/$cs : 0}")
  echo "| $name ($mb MB) | $tool | $s | $rate | $rss | $ratio |"
}

main() {
  [ "$(id -u)" = 0 ] || die "run as root (tcpdump on lo needs it)"
  case ${1:-all} in
    gen) gen ;;
    time) time_tools ;;
    all) gen; time_tools ;;
    *) die "usage: bench/bench.sh [gen|time|all]" ;;
  esac
}

main "$@"

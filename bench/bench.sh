#!/usr/bin/env bash
# Large-capture benchmark: generates big loopback captures, then times, in one run and on the
# same captures, the JVM's floor (bench/Floor.java), the floor of the JSON report
# (bench/FloorHttp.java), connscope, tcpdump and tshark; and times connscope's start-up.
#
#   bench/bench.sh          gen + time
#   bench/bench.sh gen      only (re)generate bench/data/*.pcap
#   bench/bench.sh time     only time the tools on the existing captures
#   bench/bench.sh startup  only time start-up (--version, --help, a 10-packet capture)
#
# Environment:
#   BENCH_SCALE=1           size factor: keepalive.pcap ~1 GB x scale, close.pcap ~300 MB x scale
#                           (BENCH_SCALE=0.05 for a quick run)
#   BENCH_MAX_SECONDS=240   time bound of each capture generation
#   BENCH_TOOL_TIMEOUT=1800 time bound of each timed command
#   BENCH_RUNS=1            runs per tool and capture (the table shows the fastest run)
#   BENCH_STARTUP_RUNS=10   runs per start-up command (the table shows the median and the fastest)
#   BENCH_DATA=bench/data   where the captures are (gen writes there; time times every *.pcap)
#   BENCH_TOOLS=            the tools to time, space-separated (default: all of them:
#                           floor floor-http connscope connscope-all connscope-jar tcpdump tshark)
#   CONNSCOPE_JAVA_OPTS=    extra JVM options for connscope (default: none; both rows)
#
# Traffic: nginx on 127.0.0.1 serving a 2 KB file, loaded by wrk (-c 8 -t 2), captured with
# tcpdump -s 0 on lo. All processes are started here and stopped by PID; needs root for gen
# (time and startup do not).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${BENCH_DATA:-$ROOT/bench/data}
JAR=$ROOT/target/connscope.jar
FLOOR_DIR=$ROOT/target/bench
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

# measure LABEL CMD...: run CMD under /usr/bin/time; sets SECONDS_TAKEN (wall clock, fastest of
# BENCH_RUNS), CPU_TAKEN (user + system seconds of that run) and RSS_MB (peak resident set,
# largest of the runs).
measure() {
  local label=$1; shift
  local tv=$WORK/time.txt run best="" cpu="" rss=0 s r c t0 t1
  for run in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    if ! timeout "$TOOL_TIMEOUT" /usr/bin/time -f '%U %S %M' -o "$tv" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"; then
      log "$label failed or timed out: $(tail -3 "$WORK/$label.err")"
      SECONDS_TAKEN=""; CPU_TAKEN=""; RSS_MB=""; return 0
    fi
    t1=$(date +%s%N)
    s=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e9}")
    c=$(awk '{printf "%.2f", $1 + $2}' "$tv")
    r=$(awk '{print $3}' "$tv")
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; cpu=$c; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  SECONDS_TAKEN=$best
  CPU_TAKEN=$cpu
  RSS_MB=$(awk "BEGIN{printf \"%.0f\", $rss/1024}")
}

need_time() {
  [ -x /usr/bin/time ] && return 0
  [ "$APT_UPDATED" = 1 ] || apt-get update -qq
  APT_UPDATED=1
  apt-get install -y -qq time >/dev/null
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

# Compile the floors (bench/Floor.java and bench/FloorHttp.java, which extends it; plain javac,
# no dependency) when missing or stale.
ensure_floor() {
  local c s fresh=1
  for c in Floor FloorHttp; do
    for s in Floor FloorHttp; do
      if [ ! -f "$FLOOR_DIR/$c.class" ] || [ ! "$FLOOR_DIR/$c.class" -nt "$ROOT/bench/$s.java" ]; then
        fresh=0
      fi
    done
  done
  [ "$fresh" = 1 ] && return 0
  mkdir -p "$FLOOR_DIR"
  javac -d "$FLOOR_DIR" "$ROOT/bench/Floor.java" "$ROOT/bench/FloorHttp.java" \
    || die "cannot compile bench/Floor.java bench/FloorHttp.java"
}

want() { [ -z "${BENCH_TOOLS:-}" ] || [[ " $BENCH_TOOLS " == *" $1 "* ]]; }

time_tools() {
  need tshark tshark
  need tcpdump tcpdump
  need_time
  ensure_jar
  ensure_floor
  local f name mb tool floor_s floor_cpu fh_s cs_s rows=() notes=() launcher=""
  [ -x "$ROOT/target/connscope" ] && [ -f "$JAR" ] && launcher=$ROOT/target/connscope
  shopt -s nullglob
  local files=("$DATA"/*.pcap)
  [ ${#files[@]} -gt 0 ] || die "no captures in $DATA (run: bench/bench.sh gen)"
  for f in "${files[@]}"; do
    name=$(basename "$f")
    mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$f")/1e6}")
    cat "$f" >/dev/null   # every tool reads from the page cache
    floor_s=""; floor_cpu=""; fh_s=""; cs_s=""
    for tool in floor floor-http connscope connscope-all connscope-jar tcpdump tshark; do
      want "$tool" || continue
      SECONDS_TAKEN=""; CPU_TAKEN=""; RSS_MB=""
      case $tool in
        floor)
          measure floor java -cp "$FLOOR_DIR" Floor "$f"
          [ -n "$SECONDS_TAKEN" ] && notes+=("$name: $(cat "$WORK/floor.out")")
          floor_s=$SECONDS_TAKEN; floor_cpu=$CPU_TAKEN ;;
        floor-http)
          # the transaction list as JSON, minimally (written to /dev/null like connscope's)
          measure floor-http java -cp "$FLOOR_DIR" FloorHttp -o /dev/null "$f"
          [ -n "$SECONDS_TAKEN" ] && notes+=("$name: $(cat "$WORK/floor-http.out")")
          fh_s=$SECONDS_TAKEN ;;
        connscope)
          # the launcher next to the jar (its JVM settings; CONNSCOPE_JAVA_OPTS come after them)
          [ -n "$launcher" ] && measure connscope "$launcher" analyze "$f" --format json -o /dev/null
          cs_s=$SECONDS_TAKEN ;;
        connscope-all)
          # the five formats from one run (outputs must be distinct files)
          [ -n "$launcher" ] && measure connscope-all "$launcher" analyze "$f" -o "$WORK/r.txt" \
            -o "$WORK/r.json" -o "$WORK/r.md" -o "$WORK/r.html" -o "$WORK/r.har"
          rm -f "$WORK"/r.* ;;
        connscope-jar)
          # shellcheck disable=SC2086
          [ -f "$JAR" ] && measure connscope-jar java ${CONNSCOPE_JAVA_OPTS:-} -jar "$JAR" analyze "$f" --format json -o /dev/null ;;
        tshark)
          # Full TCP reassembly + HTTP dissection, one line per request and per response
          # (a response names its request in http.request_in): the same work as pairing.
          measure tshark tshark -n -r "$f" -Y http -T fields -e tcp.stream -e http.request.method \
            -e http.request.uri -e http.response.code -e http.request_in ;;
        tcpdump)
          measure tcpdump tcpdump -r "$f" -w /dev/null ;;
      esac
      rows+=("$(row "$name" "$mb" "$(label "$tool")" "$SECONDS_TAKEN" "$CPU_TAKEN" "$RSS_MB" "$floor_s" "$floor_cpu" "$fh_s" "$cs_s")")
    done
  done
  echo
  echo "| capture | tool | wall (s) | CPU (s) | peak RSS (MB) | MB/s | wall / floor | CPU / floor | wall / floor-http | wall / connscope |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  printf '%s\n' "${notes[@]}"
}

label() {
  case $1 in
    floor) echo "floor (bench/Floor.java)" ;;
    floor-http) echo "floor-http (bench/FloorHttp.java)" ;;
    connscope) echo "connscope --format json -o /dev/null" ;;
    connscope-all) echo "connscope, all five formats" ;;
    connscope-jar) echo "java -jar connscope.jar --format json" ;;
    tcpdump) echo "tcpdump -r -w /dev/null" ;;
    tshark) echo "tshark (pairing)" ;;
  esac
}

ratio() { # ratio A B: A / B as "N.NNx", or n/a
  if [ -z "$1" ] || [ -z "$2" ] || awk "BEGIN{exit !($2 <= 0)}"; then echo "n/a"; return; fi
  awk "BEGIN{printf \"%.2fx\", $1/$2}"
}

row() {
  local name=$1 mb=$2 tool=$3 s=$4 cpu=$5 rss=$6 floor=$7 floor_cpu=$8 fh=$9 cs=${10}
  if [ -z "$s" ]; then
    echo "| $name ($mb MB) | $tool | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |"
    return
  fi
  local rate
  rate=$(awk "BEGIN{printf \"%.1f\", ($s > 0) ? $mb/$s : 0}")
  echo "| $name ($mb MB) | $tool | $s | $cpu | $rss | $rate | $(ratio "$s" "$floor") | $(ratio "$cpu" "$floor_cpu") | $(ratio "$s" "$fh") | $(ratio "$s" "$cs") |"
}

# startup: how long connscope takes for what should feel instant: --version, --help and a
# 10-packet capture (the first 10 packets of samples/keepalive-get.pcap: a handshake and a
# transaction), through the launcher and as java -jar; median and fastest of BENCH_STARTUP_RUNS.
startup() {
  need tcpdump tcpdump
  need_time
  ensure_jar
  ensure_floor
  local n=${BENCH_STARTUP_RUNS:-10} ten=$WORK/ten.pcap launcher=$ROOT/target/connscope
  tcpdump -r "$ROOT/samples/keepalive-get.pcap" -c 10 -w "$ten" 2>/dev/null
  [ -x "$launcher" ] || die "no $launcher (mvn package)"
  echo
  echo "| command | median wall (s) | fastest (s) | CPU of the median run (s) | peak RSS (MB) |"
  echo "|---|---:|---:|---:|---:|"
  start_row "connscope --version" "$n" "$launcher" --version
  start_row "connscope --help" "$n" "$launcher" --help
  start_row "connscope analyze ten.pcap (text)" "$n" "$launcher" analyze "$ten"
  start_row "connscope analyze ten.pcap --format json" "$n" "$launcher" analyze "$ten" --format json
  # shellcheck disable=SC2086
  start_row "java -jar connscope.jar --version" "$n" java ${CONNSCOPE_JAVA_OPTS:-} -jar "$JAR" --version
  # shellcheck disable=SC2086
  start_row "java -jar connscope.jar analyze ten.pcap" "$n" java ${CONNSCOPE_JAVA_OPTS:-} -jar "$JAR" analyze "$ten"
  start_row "floor on ten.pcap (JVM start + read)" "$n" java -cp "$FLOOR_DIR" Floor "$ten"
  start_row "java -version (the bare JVM)" "$n" java -version
}

# start_row LABEL RUNS CMD...: one table row, median and fastest wall time of RUNS runs.
start_row() {
  local label=$1 n=$2; shift 2
  local tv=$WORK/time.txt i t0 t1 lines=()
  for i in $(seq "$n"); do
    t0=$(date +%s%N)
    if ! timeout 60 /usr/bin/time -f '%U %S %M' -o "$tv" "$@" >/dev/null 2>"$WORK/start.err"; then
      log "$label failed: $(tail -3 "$WORK/start.err")"
      echo "| \`$label\` | n/a | n/a | n/a | n/a |"
      return 0
    fi
    t1=$(date +%s%N)
    lines+=("$(awk -v w="$(( (t1 - t0) / 1000 ))" '{printf "%.3f %.2f %.0f", w / 1e6, $1 + $2, $3 / 1024}' "$tv")")
  done
  printf '%s\n' "${lines[@]}" | sort -n | awk -v label="$label" '
    { w[NR] = $1; c[NR] = $2; r[NR] = $3 }
    END { m = int((NR + 1) / 2); printf "| `%s` | %.3f | %.3f | %.2f | %s |\n", label, w[m], w[1], c[m], r[m] }'
}

main() {
  case ${1:-all} in
    gen|all) [ "$(id -u)" = 0 ] || die "run as root (tcpdump on lo needs it)" ;;
  esac
  case ${1:-all} in
    gen) gen ;;
    time) time_tools ;;
    startup) startup ;;
    all) gen; time_tools ;;
    *) die "usage: bench/bench.sh [gen|time|startup|all]" ;;
  esac
}

main "$@"

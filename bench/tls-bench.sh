#!/usr/bin/env bash
# TLS decryption benchmark: the same keep-alive traffic in clear and over TLS, then connscope's
# time on each (TLS without keys, TLS with the key log).
#
#   bench/tls-bench.sh          gen + time
#   bench/tls-bench.sh gen      only (re)generate bench/data/{clear,tls}-keepalive.pcap (+ .keylog)
#   bench/tls-bench.sh time     only time connscope on the existing captures
#   bench/tls-bench.sh gen-close  only (re)generate bench/data/tls-close.pcap (+ .keylog): many
#                               short TLS connections, one request each (see below); not part of
#                               the default run
#
# Environment:
#   TLS_BENCH_REQUESTS=2500     requests per client (TLS_BENCH_CLIENTS clients in parallel);
#                               2500 x 4 x 16 KiB: about 170 MB per capture
#   TLS_BENCH_CLIENTS=4
#   TLS_BENCH_SIZE=16384        response body bytes
#   BENCH_RUNS=1                runs per measurement (the fastest is shown)
#   BENCH_DATA=bench/data       where the captures go (and are read from)
#   TLS_CLOSE_CONNECTIONS=50000 gen-close: connections in all (TLS_CLOSE_CLIENTS processes in
#                               parallel, each its share), at most TLS_CLOSE_SECONDS
#   TLS_CLOSE_CLIENTS=3
#   TLS_CLOSE_SECONDS=600
#
# Traffic: nginx on 127.0.0.1 (clear on 18211, TLS 1.3 AES-256-GCM on 18212, self-signed
# certificate made here), each client one curl on one keep-alive connection fetching the same
# file TLS_BENCH_REQUESTS times (curl writes SSLKEYLOGFILE), captured with tcpdump -s 0 on lo.
# gen-close: nginx on 127.0.0.1:18213 (TLS 1.2 and 1.3, session tickets on, EC P-256
# certificate), files 128.bin to 16384.bin (8 sizes, doubling); bench/tls-close-client.py in
# TLS_CLOSE_CLIENTS processes, each from its own source address (127.0.1.N, so no two reuse a
# port), each connection one GET with Connection: close then the server's close. Every 4th
# connection is TLS 1.2 (AES-128-GCM or ChaCha20-Poly1305), every 3rd resumes a session; each
# process writes its own key log (Python's ssl keylog_filename), concatenated into
# tls-close.keylog. About 50,000 connections: ~300 MB.
# Every process is started here and stopped by PID; needs root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${BENCH_DATA:-$ROOT/bench/data}
JAR=$ROOT/target/connscope.jar
WORK=$(mktemp -d /tmp/cs-tlsbench.XXXXXX)
REQUESTS=${TLS_BENCH_REQUESTS:-2500}
CLIENTS=${TLS_BENCH_CLIENTS:-4}
SIZE=${TLS_BENCH_SIZE:-16384}
RUNS=${BENCH_RUNS:-1}
SCRIPT=tls-bench.sh
# shellcheck source=../samples/tools/proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/../samples/tools/proc.sh"

gen() {
  need tcpdump tcpdump
  need curl curl
  need openssl openssl
  need nginx nginx-light
  need ss iproute2
  mkdir -p "$DATA" "$WORK/www"
  python3 -c "import sys; open(sys.argv[1],'wb').write(bytes(i % 251 for i in range(int(sys.argv[2]))))" \
    "$WORK/www/body.bin" "$SIZE"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=bench.test \
    -addext subjectAltName=DNS:bench.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  nginx_run 18211 "$WORK/www" "types { application/octet-stream bin; }
  keepalive_requests 10000000;
  keepalive_timeout 30s;
  ssl_certificate $WORK/cert.pem;
  ssl_certificate_key $WORK/key.pem;
  ssl_protocols TLSv1.3;
  server { listen 127.0.0.1:18212 ssl; root $WORK/www; }"
  local kind port scheme err cap i c pids
  for kind in clear tls; do
    if [ $kind = clear ]; then port=18211; scheme=http; else port=18212; scheme=https; fi
    err=$WORK/tcpdump-$kind.err
    : >"$WORK/$kind.keylog"
    bg "$err" tcpdump -i lo -s 0 -B 262144 -w "$DATA/$kind-keepalive.pcap" "tcp port $port"
    cap=$BG_PID
    for i in $(seq 50); do grep -qs 'listening on' "$err" && break; sleep 0.1; done
    grep -qs 'listening on' "$err" || die "tcpdump did not start: $(cat "$err")"
    pids=()
    for c in $(seq "$CLIENTS"); do
      SSLKEYLOGFILE=$WORK/$kind.keylog bg "$WORK/curl-$kind-$c.log" timeout 600 curl -sS --http1.1 \
        --cacert "$WORK/cert.pem" --resolve "bench.test:$port:127.0.0.1" -o /dev/null \
        "$scheme://bench.test:$port/body.bin?[1-$REQUESTS]"
      pids+=("$BG_PID")
    done
    for c in "${pids[@]}"; do wait "$c" || die "a curl client failed"; done
    sleep 0.3
    stop "$cap" INT
    grep -E 'dropped by kernel' "$err" | grep -q '^0 ' || die "tcpdump dropped packets: $(cat "$err")"
    [ $kind = tls ] && cp "$WORK/tls.keylog" "$DATA/tls-keepalive.keylog"
    log "$kind-keepalive.pcap: $(($(stat -c %s "$DATA/$kind-keepalive.pcap") / 1000000)) MB"
  done
  stop "$NGINX_PID" QUIT
}

gen_close() {
  need tcpdump tcpdump
  need openssl openssl
  need nginx nginx-light
  need ss iproute2
  local conns=${TLS_CLOSE_CONNECTIONS:-50000} clients=${TLS_CLOSE_CLIENTS:-3}
  local secs=${TLS_CLOSE_SECONDS:-600} err cap c pids=() n
  mkdir -p "$DATA" "$WORK/www"
  for n in 128 256 512 1024 2048 4096 8192 16384; do
    python3 -c "import sys; open(sys.argv[1],'wb').write(bytes(i % 251 for i in range(int(sys.argv[2]))))" \
      "$WORK/www/$n.bin" "$n"
  done
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=bench.test \
    -addext subjectAltName=DNS:bench.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  nginx_run 18213 "$WORK/www" "types { application/octet-stream bin; }
  ssl_certificate $WORK/cert.pem;
  ssl_certificate_key $WORK/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_tickets on;" ssl
  err=$WORK/tcpdump-close.err
  bg "$err" tcpdump -i lo -s 0 -B 262144 -w "$DATA/tls-close.pcap" "tcp port 18213"
  cap=$BG_PID
  for n in $(seq 50); do grep -qs 'listening on' "$err" && break; sleep 0.1; done
  grep -qs 'listening on' "$err" || die "tcpdump did not start: $(cat "$err")"
  for c in $(seq "$clients"); do
    bg "$WORK/client-$c.log" timeout $((secs + 30)) python3 "$ROOT/bench/tls-close-client.py" \
      127.0.0.1 18213 "127.0.1.$c" $(((conns + clients - 1) / clients)) "$secs" "$WORK/close-$c.keylog"
    pids+=("$BG_PID")
  done
  for c in "${pids[@]}"; do wait "$c" || die "a client failed: $(tail -3 "$WORK"/client-*.log)"; done
  sleep 0.3
  stop "$cap" INT
  grep -E 'dropped by kernel' "$err" | grep -q '^0 ' || die "tcpdump dropped packets: $(cat "$err")"
  cat "$WORK"/close-*.keylog >"$DATA/tls-close.keylog"
  stop "$NGINX_PID" QUIT
  log "$(cat "$WORK"/client-*.log)"
  log "tls-close.pcap: $(($(stat -c %s "$DATA/tls-close.pcap") / 1000000)) MB"
}

# measure CMD...: wall-clock seconds of the fastest of RUNS runs, in SECONDS_TAKEN, and the CPU
# seconds (user + system, all threads) of the run with the least, in CPU_TAKEN (on a shared machine
# the CPU time is the steadier figure: it does not count the time other work held the cores)
measure() {
  local run t0 t1 s c best="" cbest="" TIMEFORMAT='%U %S'
  for run in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    { time "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || die "failed: $* ($(tail -2 "$WORK/err.txt"))"; } 2>"$WORK/time.txt"
    t1=$(date +%s%N)
    s=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / 1e9}")
    c=$(awk '{printf "%.2f", $1 + $2}' "$WORK/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
    if [ -z "$cbest" ] || awk "BEGIN{exit !($c < $cbest)}"; then cbest=$c; fi
  done
  SECONDS_TAKEN=$best
  CPU_TAKEN=$cbest
}

time_it() {
  [ -f "$JAR" ] || die "no $JAR: build it first (mvn -q -B -DskipTests package)"
  local clear=$DATA/clear-keepalive.pcap tls=$DATA/tls-keepalive.pcap
  local mb_c mb_t t_clear t_nokey t_key tx_c tx_k c_clear c_nokey c_key
  mb_c=$(($(stat -c %s "$clear") / 1000000))
  mb_t=$(($(stat -c %s "$tls") / 1000000))
  measure java -jar "$JAR" analyze "$clear" --format json --no-progress
  t_clear=$SECONDS_TAKEN c_clear=$CPU_TAKEN
  tx_c=$(grep -o '"transactions":[0-9]*' "$WORK/out.txt" | head -1)
  measure java -jar "$JAR" analyze "$tls" --format json --no-progress
  t_nokey=$SECONDS_TAKEN c_nokey=$CPU_TAKEN
  measure java -jar "$JAR" analyze "$tls" --format json --no-progress --tls-keylog "$DATA/tls-keepalive.keylog"
  t_key=$SECONDS_TAKEN c_key=$CPU_TAKEN
  tx_k=$(grep -o '"transactions":[0-9]*' "$WORK/out.txt" | head -1)
  printf '%-48s %6s %8s %6s %8s\n' capture MB seconds MB/s cpu-s
  printf '%-48s %6s %8s %6s %8s\n' "clear-keepalive ($tx_c)" "$mb_c" "$t_clear" "$(awk "BEGIN{printf \"%.0f\", $mb_c/$t_clear}")" "$c_clear"
  printf '%-48s %6s %8s %6s %8s\n' "tls-keepalive, no keys" "$mb_t" "$t_nokey" "$(awk "BEGIN{printf \"%.0f\", $mb_t/$t_nokey}")" "$c_nokey"
  printf '%-48s %6s %8s %6s %8s\n' "tls-keepalive, key log ($tx_k)" "$mb_t" "$t_key" "$(awk "BEGIN{printf \"%.0f\", $mb_t/$t_key}")" "$c_key"
  printf 'with keys / clear: %s wall-clock, %s CPU\n' "$(awk "BEGIN{printf \"%.2f\", $t_key/$t_clear}")" \
    "$(awk "BEGIN{printf \"%.2f\", $c_key/$c_clear}")"
}

case "${1:-all}" in
  gen) gen ;;
  gen-close) gen_close ;;
  time) time_it ;;
  all) gen; time_it ;;
  *) die "usage: $0 [gen|time|gen-close]" ;;
esac

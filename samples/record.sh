#!/usr/bin/env bash
# Regenerates the sample captures in samples/*.pcap from real traffic.
#
#   samples/record.sh            every sample
#   samples/record.sh NAME...    only these (e.g. nagle-post-split)
#   samples/record.sh --list     sample names
#   SAMPLES_OUT=DIR samples/record.sh ...   write DIR/NAME.pcap and DIR/expected/ instead
#
# All traffic runs through the kernel's own TCP stack, on loopback (127.0.0.1, ::1) or
# between network namespaces this script creates and deletes (cs-a, cs-link, cs-b, with
# 10.99.0.0/24 addresses only inside them). It is captured with tcpdump -s 0 filtered on
# the sample's own port. Every process is started here and stopped by its PID; every wait
# is bounded. Needs root (tcpdump, namespaces). After each sample: tshark checks the
# connection/transaction counts, writes samples/expected/NAME.tsv and prints a summary.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=$HERE/tools
OUT=${SAMPLES_OUT:-$HERE}
EXPECTED=$OUT/expected
WORK=$(mktemp -d /tmp/cs-samples.XXXXXX)
STAMP_DATE='2024-01-01 00:00:00 UTC'   # fixed mtime of the static files (stable ETag/Last-Modified)

SAMPLES=(keepalive-get connection-close pipelined chunked-and-head post-100-continue
         ipv6-close-delimited nagle-post-split nagle-post-nodelay server-split-response
         delayed-link hostile-strings)

PIDS=()          # every background process we started (killed by PID on exit)
NAMESPACES=()    # every namespace we created (deleted on exit)
APT_UPDATED=0

cleanup() {
  local pid ns
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for ns in "${NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }
die() { log "record.sh: $*"; exit 1; }

# need CMD PACKAGE: install PACKAGE with apt-get when CMD is missing.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$APT_UPDATED" = 1 ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  command -v "$1" >/dev/null 2>&1 || die "cannot install $2"
}

# bg LOGFILE CMD...: start CMD in the background, remember its PID in BG_PID.
bg() {
  local logfile=$1; shift
  "$@" >"$logfile" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# stop PID [SIGNAL]: stop one process we started and reap it.
stop() {
  local pid=$1 sig=${2:-TERM} p keep=()
  kill "-$sig" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# wait_listen PORT [NETNS]: wait (at most 5 s) until something listens on TCP PORT.
wait_listen() {
  local port=$1 ns=${2:-} i
  for i in $(seq 50); do
    if [ -n "$ns" ]; then
      ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
    else
      ss -Hltn "sport = :$port" | grep -q . && return 0
    fi
    sleep 0.1
  done
  die "nothing listens on port $port"
}

# capture_start FILE FILTER [IFACE] [NETNS]: start tcpdump, wait until it listens.
capture_start() {
  local file=$1 filter=$2 iface=${3:-lo} ns=${4:-} i
  local err=$WORK/tcpdump.$$.$RANDOM.err
  if [ -n "$ns" ]; then
    bg "$err" ip netns exec "$ns" tcpdump -i "$iface" -s 0 -U --immediate-mode -w "$file" "$filter"
  else
    bg "$err" tcpdump -i "$iface" -s 0 -U --immediate-mode -w "$file" "$filter"
  fi
  CAP_PID=$BG_PID
  CAP_ERR=$err
  for i in $(seq 50); do
    grep -qs 'listening on' "$err" && return 0
    sleep 0.1
  done
  cat "$err" >&2
  die "tcpdump did not start"
}

# capture_stop: let the closing handshake land, stop tcpdump with SIGINT, check no drops.
capture_stop() {
  sleep 0.3
  stop "$CAP_PID" INT
  if grep -Eq '^[1-9][0-9]* packets? dropped by kernel' "$CAP_ERR"; then
    die "tcpdump dropped packets: $(cat "$CAP_ERR")"
  fi
}

# run_client SECONDS LOGFILE CMD...: run a client in the foreground, bounded in time.
run_client() {
  local secs=$1 logfile=$2; shift 2
  timeout "$secs" "$@" >"$logfile" 2>&1 || { cat "$logfile" >&2; die "client failed: $*"; }
}

# Static files served by nginx: deterministic content and mtime.
make_docroot() {
  local root=$WORK/www
  [ -d "$root" ] && return 0
  mkdir -p "$root"
  python3 - "$root" <<'EOF'
import sys
root = sys.argv[1]
open(f"{root}/a.txt", "w").write("".join(f"line {i:04d} of a.txt, a small static file\n" for i in range(24)))
open(f"{root}/b.html", "w").write("<!doctype html><html><body>\n" +
    "".join(f"<p>paragraph {i}: connscope sample page</p>\n" for i in range(100)) + "</body></html>\n")
open(f"{root}/c.bin", "wb").write(bytes(range(256)) * 64)
open(f"{root}/small.txt", "w").write("sample body line for connscope.\n" * 8)
EOF
  touch -d "$STAMP_DATE" "$root"/*
}

# nginx_start PORT [EXTRA_HTTP_DIRECTIVES]: one nginx process (no master) on 127.0.0.1:PORT.
nginx_start() {
  local port=$1 extra=${2:-} prefix=$WORK/nginx-$1
  need nginx nginx-light
  make_docroot
  mkdir -p "$prefix/logs" "$prefix/tmp"
  cat >"$prefix/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  default_type application/octet-stream;
  types { text/plain txt; text/html html; }
  keepalive_timeout 10s;
  $extra
  server {
    listen 127.0.0.1:$port;
    root $WORK/www;
  }
}
EOF
  bg "$prefix/logs/stderr.log" nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log"
  NGINX_PID=$BG_PID
  wait_listen "$port"
}

# py_server MODE HOST PORT [ARGS...]: one of tools/server.py's servers, bounded to 60 s.
py_server() {
  local mode=$1 host=$2 port=$3; shift 3
  bg "$WORK/server-$port.log" python3 "$TOOLS/server.py" "$mode" "$host" "$port" --deadline 60 "$@"
  SERVER_PID=$BG_PID
  wait_listen "$port"
}

# finish NAME CONNS TXNS: move the capture in place, check it, write expected, summarize.
finish() {
  local name=$1 conns=$2 txns=$3
  mkdir -p "$OUT"
  mv -f "$WORK/$name.pcap" "$OUT/$name.pcap"
  chown --reference="$OUT" "$OUT/$name.pcap"
  chmod 644 "$OUT/$name.pcap"
  python3 "$TOOLS/inspect_pcap.py" check "$OUT/$name.pcap" "$conns" "$txns"
  mkdir -p "$EXPECTED"
  python3 "$TOOLS/inspect_pcap.py" expected "$OUT/$name.pcap" "$EXPECTED/$name.tsv"
  python3 "$TOOLS/inspect_pcap.py" summary "$OUT/$name.pcap"
}

# ---------------------------------------------------------------------------------------
# Samples. Each uses its own port; each function records samples/NAME.pcap.

# nginx; curl fetches 3 URLs on one keep-alive connection, then a second curl: 2 conns, 4 txns.
sample_keepalive_get() {
  local port=18101 url=http://127.0.0.1:18101
  nginx_start $port
  capture_start "$WORK/keepalive-get.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS -w '%{http_code} %{num_connects}\n' \
    -o /dev/null -o /dev/null -o /dev/null "$url/a.txt" "$url/b.html" "$url/c.bin"
  run_client 20 "$WORK/curl2.log" curl -sS -w '%{http_code} %{num_connects}\n' -o /dev/null "$url/a.txt"
  capture_stop
  stop "$NGINX_PID" QUIT
  finish keepalive-get 2 4
}

# nginx; three curl runs with Connection: close: 3 conns, 3 txns, the server closes first.
sample_connection_close() {
  local port=18102 url=http://127.0.0.1:18102 i
  nginx_start $port
  capture_start "$WORK/connection-close.pcap" "tcp port $port"
  for i in 1 2 3; do
    run_client 20 "$WORK/curl.log" curl -sS -o /dev/null -H 'Connection: close' "$url/a.txt"
  done
  capture_stop
  stop "$NGINX_PID" QUIT
  finish connection-close 3 3
}

# nginx; python client writes 3 GETs in one send(), then reads 3 responses: 1 conn, 3 txns.
sample_pipelined() {
  local port=18103
  nginx_start $port
  capture_start "$WORK/pipelined.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" pipelined 127.0.0.1 $port \
    --path /a.txt --path /b.html --path /small.txt
  capture_stop
  stop "$NGINX_PID" QUIT
  finish pipelined 1 3
}

# python server: chunked 200, HEAD 200 (no body), 304, 204 on one keep-alive connection.
sample_chunked_and_head() {
  local port=18104
  py_server mixed 127.0.0.1 $port
  capture_start "$WORK/chunked-and-head.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" mixed 127.0.0.1 $port
  capture_stop
  stop "$SERVER_PID"
  finish chunked-and-head 1 4
}

# curl POSTs a 256 KiB body with Expect: 100-continue; python server sends 100, reads, 200.
sample_post_100_continue() {
  local port=18105
  head -c $((256 * 1024)) /dev/zero | tr '\0' 'p' >"$WORK/post-body.bin"
  py_server continue 127.0.0.1 $port
  capture_start "$WORK/post-100-continue.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS -o /dev/null -H 'Expect: 100-continue' \
    -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/post-body.bin" \
    "http://127.0.0.1:$port/upload"
  capture_stop
  stop "$SERVER_PID"
  finish post-100-continue 1 1
}

# curl --http1.0 over ::1; python server answers HTTP/1.0 without Content-Length and closes.
sample_ipv6_close_delimited() {
  local port=18106
  py_server http10 ::1 $port
  capture_start "$WORK/ipv6-close-delimited.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS -o /dev/null --http1.0 -g "http://[::1]:$port/legacy"
  capture_stop
  stop "$SERVER_PID"
  finish ipv6-close-delimited 1 1
}

# Python client, TCP_NODELAY off: POST head in one send(), 200-byte body in a second send(),
# 5 times on one connection. The body waits for the server's delayed ACK (~40 ms).
sample_nagle_post_split() {
  local port=18107
  py_server onewrite 127.0.0.1 $port
  capture_start "$WORK/nagle-post-split.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" nagle 127.0.0.1 $port --count 5
  capture_stop
  stop "$SERVER_PID"
  finish nagle-post-split 1 5
  python3 "$TOOLS/gaps.py" "$OUT/nagle-post-split.pcap" $port request
}

# The control: the same exchange with TCP_NODELAY on (no ~40 ms waits).
sample_nagle_post_nodelay() {
  local port=18108
  py_server onewrite 127.0.0.1 $port
  capture_start "$WORK/nagle-post-nodelay.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" nagle 127.0.0.1 $port --count 5 --nodelay
  capture_stop
  stop "$SERVER_PID"
  finish nagle-post-nodelay 1 5
  python3 "$TOOLS/gaps.py" "$OUT/nagle-post-nodelay.pcap" $port request
}

# nginx with tcp_nodelay off, sendfile off, postpone_output 0 writes the response head and
# the body in two writes; Nagle holds the body until the client's delayed ACK of the head.
# The client sends each GET right after the previous response (no pause), which puts its
# stack in pingpong (delayed-ACK) mode. 5 GETs on one keep-alive connection.
sample_server_split_response() {
  local port=18109
  nginx_start $port 'tcp_nodelay off; sendfile off; postpone_output 0;'
  capture_start "$WORK/server-split-response.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" get 127.0.0.1 $port --count 5 \
    --path /small.txt --pause 0
  capture_stop
  stop "$NGINX_PID" QUIT
  finish server-split-response 1 5
  python3 "$TOOLS/gaps.py" "$OUT/server-split-response.pcap" $port response
}

# The nagle-post-split exchange across a link with 25 ms one-way delay, captured on the
# client's interface. Namespaces: cs-a (client, 10.99.0.1) -- cs-link (tools/delayline.py
# copies frames between its two veth ends 25 ms later) -- cs-b (server, 10.99.0.2).
sample_delayed_link() {
  local port=18110 ns
  need ethtool ethtool
  for ns in cs-a cs-link cs-b; do
    ip netns del "$ns" 2>/dev/null || true   # a leftover of an interrupted earlier run
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n cs-a link add cs-a0 type veth peer name cs-a1 netns cs-link
  ip -n cs-b link add cs-b0 type veth peer name cs-b1 netns cs-link
  # Full-size frames with real checksums on the wire: no TSO/GSO super-frames, no partial
  # checksums, so the relay can copy frames as they are and the capture shows real segments.
  ip netns exec cs-a ethtool -K cs-a0 tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec cs-b ethtool -K cs-b0 tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec cs-link ethtool -K cs-a1 tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec cs-link ethtool -K cs-b1 tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip -n cs-a addr add 10.99.0.1/24 dev cs-a0
  ip -n cs-b addr add 10.99.0.2/24 dev cs-b0
  ip -n cs-link link set cs-a1 up promisc on
  ip -n cs-link link set cs-b1 up promisc on
  ip -n cs-a link set cs-a0 up
  ip -n cs-b link set cs-b0 up

  bg "$WORK/delayline.log" ip netns exec cs-link python3 "$TOOLS/delayline.py" cs-a1 cs-b1 \
    --delay-ms 25 --deadline 60
  local relay=$BG_PID
  bg "$WORK/server-$port.log" ip netns exec cs-b python3 "$TOOLS/server.py" onewrite 10.99.0.2 $port --deadline 60
  SERVER_PID=$BG_PID
  wait_listen $port cs-b
  sleep 0.3   # let the relay open its sockets
  # Resolve ARP before capturing, so the first SYN is not delayed by it.
  ip netns exec cs-a ping -c 1 -W 2 10.99.0.2 >/dev/null 2>&1 || true
  capture_start "$WORK/delayed-link.pcap" "tcp port $port" cs-a0 cs-a
  run_client 20 "$WORK/client.log" ip netns exec cs-a python3 "$TOOLS/client.py" nagle 10.99.0.2 $port --count 5
  capture_stop
  stop "$SERVER_PID"
  stop "$relay"
  for ns in cs-a cs-link cs-b; do ip netns del "$ns"; done
  NAMESPACES=()
  finish delayed-link 1 5
  python3 "$TOOLS/gaps.py" "$OUT/delayed-link.pcap" $port request
}

# The Nagle exchange again (3 POSTs), with a request target and a User-Agent carrying HTML,
# JavaScript, Markdown table/emphasis characters and an ANSI escape: reports must render inert.
sample_hostile_strings() {
  local port=18111
  py_server onewrite 127.0.0.1 $port
  capture_start "$WORK/hostile-strings.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" nagle 127.0.0.1 $port --count 3 \
    --path '/<script>alert(1)</script>|**bold**|_u_|[x](javascript:alert(1))|`code`' \
    --agent '<img src=x onerror=alert(2)> | **b** \e[31mred\e[0m "quote" '"'"'single'"'"' &amp;'
  capture_stop
  stop "$SERVER_PID"
  # no tshark check: tshark's own HTTP dissector loses the request boundaries on these strings
  mkdir -p "$OUT"
  mv -f "$WORK/hostile-strings.pcap" "$OUT/hostile-strings.pcap"
  chown --reference="$OUT" "$OUT/hostile-strings.pcap"
  chmod 644 "$OUT/hostile-strings.pcap"
  python3 "$TOOLS/inspect_pcap.py" summary "$OUT/hostile-strings.pcap"
}

# ---------------------------------------------------------------------------------------

main() {
  [ "$(id -u)" = 0 ] || die "run as root (tcpdump and network namespaces need it)"
  need tcpdump tcpdump
  need tshark tshark
  need curl curl
  need python3 python3
  need ss iproute2
  local names=("$@") name fn
  if [ "${1:-}" = "--list" ]; then printf '%s\n' "${SAMPLES[@]}"; return 0; fi
  [ ${#names[@]} -gt 0 ] || names=("${SAMPLES[@]}")
  for name in "${names[@]}"; do
    fn=sample_${name//-/_}
    declare -F "$fn" >/dev/null || die "unknown sample '$name' (try --list)"
    log "== $name"
    "$fn"
  done
}

main "$@"

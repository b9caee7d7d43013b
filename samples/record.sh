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
         delayed-link    # also records delayed-link-server (the same traffic seen at the server)
         dumb-proxy-hang proxy-connection-relay reverse-proxy-keepalive
         keepalive-refused http10-not-requested close-delimited-11 content-length-lies
         framing-request framing-response
         stale-reuse keepalive-max
         setup-serial-delay setup-persistent-delay setup-parallel-delay
         setup-serial-loopback syn-retry time-wait-reuse port-cycle port-burst port-exhausted
         slow-start-delay slow-start-cold slow-start-idle tls-slow-start rto-delay slow-reader paused-writer
         one-pause-writer
         slow-reader-link    # also records slow-reader-link-server
         bottleneck-loss     # also records bottleneck-loss-server
         drop-fast-retransmit
         hostile-strings snaplen-truncated capture-loss unanswered
         one-direction-requests   # also records one-direction-responses (the same traffic)
         midstream-keepalive lost-response-head lost-chunk snaplen-128)

SCRIPT=record.sh
# shellcheck source=tools/proc.sh
. "$TOOLS/proc.sh"

# capture_start FILE FILTER [IFACE] [NETNS]: start tcpdump, wait until it listens.
# CAP_BUFFER=KiB sets tcpdump's buffer (-B) for a sample that bursts megabytes on loopback.
capture_start() {
  local file=$1 filter=$2 iface=${3:-lo} ns=${4:-} i snap=${CAP_SNAPLEN:-0}
  local buf=(); [ -z "${CAP_BUFFER:-}" ] || buf=(-B "$CAP_BUFFER")
  local err=$WORK/tcpdump.$$.$RANDOM.err
  if [ -n "$ns" ]; then
    bg "$err" ip netns exec "$ns" tcpdump -i "$iface" -s "$snap" "${buf[@]}" -U --immediate-mode -w "$file" "$filter"
  else
    bg "$err" tcpdump -i "$iface" -s "$snap" "${buf[@]}" -U --immediate-mode -w "$file" "$filter"
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
  make_docroot
  nginx_run "$1" "$WORK/www" "default_type application/octet-stream;
  types { text/plain txt; text/html html; }
  keepalive_timeout 10s;
  ${2:-}"
}

# py_server MODE HOST PORT [ARGS...]: one of tools/server.py's servers, bounded to 60 s.
py_server() {
  local mode=$1 host=$2 port=$3; shift 3
  bg "$WORK/server-$port.log" python3 "$TOOLS/server.py" "$mode" "$host" "$port" --deadline 60 "$@"
  SERVER_PID=$BG_PID
  wait_listen "$port"
}

# finish NAME CONNS TXNS [REQUESTS [OPTIONS...]]: move the capture in place, check it
# (REQUESTS: requests in all when some stay unanswered; OPTIONS: more of inspect_pcap.py check's,
# --pair-by-ack also for expected), write expected, summarize.
finish() {
  local name=$1 conns=$2 txns=$3 reqs=${4:-$3} pairing=() a
  shift $(($# < 4 ? $# : 4))
  for a in "$@"; do [ "$a" != --pair-by-ack ] || pairing=(--pair-by-ack); done
  mkdir -p "$OUT"
  mv -f "$WORK/$name.pcap" "$OUT/$name.pcap"
  chown --reference="$OUT" "$OUT/$name.pcap"
  chmod 644 "$OUT/$name.pcap"
  python3 "$TOOLS/inspect_pcap.py" check "$OUT/$name.pcap" "$conns" "$txns" "$reqs" "$@"
  mkdir -p "$EXPECTED"
  python3 "$TOOLS/inspect_pcap.py" expected "$OUT/$name.pcap" "$EXPECTED/$name.tsv" "${pairing[@]}"
  python3 "$TOOLS/inspect_pcap.py" summary "$OUT/$name.pcap" "${pairing[@]}"
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
  local port=18110
  link_up cs-a cs-link cs-b 10.99.0 25
  bg "$WORK/server-$port.log" ip netns exec cs-b python3 "$TOOLS/server.py" onewrite 10.99.0.2 $port --deadline 60
  SERVER_PID=$BG_PID
  wait_listen $port cs-b
  # Resolve ARP before capturing, so the first SYN is not delayed by it.
  ip netns exec cs-a ping -c 1 -W 2 10.99.0.2 >/dev/null 2>&1 || true
  # The same traffic captured at both ends of the link: near the client and near the server.
  capture_start "$WORK/delayed-link-server.pcap" "tcp port $port" cs-b0 cs-b
  local server_cap_pid=$CAP_PID server_cap_err=$CAP_ERR
  capture_start "$WORK/delayed-link.pcap" "tcp port $port" cs-a0 cs-a
  run_client 20 "$WORK/client.log" ip netns exec cs-a python3 "$TOOLS/client.py" nagle 10.99.0.2 $port --count 5
  capture_stop
  CAP_PID=$server_cap_pid CAP_ERR=$server_cap_err
  capture_stop
  stop "$SERVER_PID"
  link_down
  finish delayed-link 1 5
  python3 "$TOOLS/gaps.py" "$OUT/delayed-link.pcap" $port request
  finish delayed-link-server 1 5
  python3 "$TOOLS/gaps.py" "$OUT/delayed-link-server.pcap" $port request
}

# ---------------------------------------------------------------------------------------
# Keep-alive failures (ports 18121-18132). tools/keepalive.py has the relay, servers, clients.

# nginx_custom PORT SERVER_DIRECTIVES: nginx_start's nginx, with nginx's own keep-alive timeout
# (75 s) and more directives in its server block.
nginx_custom() {
  make_docroot
  nginx_run "$1" "$WORK/www" "default_type application/octet-stream;
  types { text/plain txt; text/html html; }" "" "$2"
}

# ka_server MODE PORT: one of tools/keepalive.py's servers.
ka_server() {
  bg "$WORK/ka-server-$2.log" python3 "$TOOLS/keepalive.py" server "$1" "$2" --deadline 60 "${@:3}"
  SERVER_PID=$BG_PID
  wait_listen "$2"
}

# ka_client SECONDS PORT MODE [ARGS...]: one of tools/keepalive.py's clients.
ka_client() {
  local secs=$1 port=$2 mode=$3; shift 3
  run_client "$secs" "$WORK/ka-client-$mode.log" python3 "$TOOLS/keepalive.py" client "$mode" "$port" "$@"
  cat "$WORK/ka-client-$mode.log" >&2
}

# The dumb-proxy hang, both legs: client -> blind relay (18121) -> nginx (18122, keep-alive
# 3 s). Two HTTP/1.0 Connection: Keep-Alive GETs; nginx agrees; the relay forwards the first,
# passes the agreeing response back and never reads the second. The client gives up after
# 1.5 s and retries on a new connection; the relay closes each client connection only when
# nginx closes its idle upstream connection. 4 conns (2 per leg), 5 requests (4 answered).
sample_dumb_proxy_hang() {
  local port=18121 origin=18122
  nginx_custom $origin "keepalive_timeout 3s;"
  local origin_pid=$NGINX_PID
  bg "$WORK/relay.log" python3 "$TOOLS/keepalive.py" relay $port $origin --deadline 60
  local relay=$BG_PID
  wait_listen $port
  capture_start "$WORK/dumb-proxy-hang.pcap" "tcp port $port or tcp port $origin"
  ka_client 20 $port proxy10 --origin $origin --timeout 1.5
  sleep 3.5   # nginx's keep-alive timeout ends the upstream legs, the relay then closes
  capture_stop
  stop "$relay"
  stop "$origin_pid" QUIT
  finish dumb-proxy-hang 4 4 5
}

# The same blind relay with Proxy-Connection: Keep-Alive: nginx ignores it, answers
# Connection: close and closes, so the relay closes too: no hang, a new connection per GET.
sample_proxy_connection_relay() {
  local port=18123 origin=18124
  nginx_custom $origin "keepalive_timeout 3s;"
  local origin_pid=$NGINX_PID
  bg "$WORK/relay.log" python3 "$TOOLS/keepalive.py" relay $port $origin --deadline 60
  local relay=$BG_PID
  wait_listen $port
  capture_start "$WORK/proxy-connection-relay.pcap" "tcp port $port or tcp port $origin"
  ka_client 20 $port proxyconn --origin $origin
  capture_stop
  stop "$relay"
  stop "$origin_pid" QUIT
  finish proxy-connection-relay 4 4
}

# The control: a real reverse proxy (nginx 18125, proxy_pass) in front of nginx (18126). The
# client's two HTTP/1.0 Keep-Alive GETs share one connection; nginx does not forward the
# hop-by-hop headers (it sends its own Connection: close upstream). 3 conns, 4 txns.
sample_reverse_proxy_keepalive() {
  local port=18125 origin=18126
  nginx_custom $origin ""
  local origin_pid=$NGINX_PID
  nginx_custom $port "location / { proxy_pass http://127.0.0.1:$origin; }"
  local proxy_pid=$NGINX_PID
  capture_start "$WORK/reverse-proxy-keepalive.pcap" "tcp port $port or tcp port $origin"
  ka_client 20 $port proxy10 --origin $origin
  capture_stop
  stop "$proxy_pid" QUIT
  stop "$origin_pid" QUIT
  finish reverse-proxy-keepalive 3 4
}

# An HTTP/1.0 client asking Connection: Keep-Alive; the server answers HTTP/1.0 without it and
# closes after every response: 3 conns, 3 txns.
sample_keepalive_refused() {
  local port=18127
  ka_server refuse10 $port
  capture_start "$WORK/keepalive-refused.pcap" "tcp port $port"
  ka_client 20 $port ka10
  capture_stop
  stop "$SERVER_PID"
  finish keepalive-refused 3 3
}

# curl --http1.0 never asks for keep-alive; nginx answers Connection: close: 3 conns, 3 txns.
sample_http10_not_requested() {
  local port=18128 url=http://127.0.0.1:18128
  nginx_start $port
  capture_start "$WORK/http10-not-requested.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS --http1.0 -o /dev/null -o /dev/null -o /dev/null \
    "$url/a.txt" "$url/b.html" "$url/small.txt"
  capture_stop
  stop "$NGINX_PID" QUIT
  finish http10-not-requested 3 3
}

# HTTP/1.1 responses without Content-Length or chunked: the close ends each body, so curl
# (which wanted to reuse the connection) needs a new one per URL: 2 conns, 2 txns.
sample_close_delimited_11() {
  local port=18129 url=http://127.0.0.1:18129
  ka_server closedelim $port
  capture_start "$WORK/close-delimited-11.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS -o /dev/null -o /dev/null "$url/one" "$url/two"
  capture_stop
  stop "$SERVER_PID"
  finish close-delimited-11 2 2
}

# A server lying in Content-Length both ways: conn 1 sends 20 bytes more than declared (they
# prefix the next response), conn 2 sends 100 bytes fewer and waits; the client gives up.
# tshark pairs only the first response (the junk hides the second): 2 conns, 3 requests.
sample_content_length_lies() {
  local port=18130
  ka_server lying $port
  capture_start "$WORK/content-length-lies.pcap" "tcp port $port"
  ka_client 20 $port lying --timeout 1.5
  capture_stop
  stop "$SERVER_PID"
  finish content-length-lies 2 1 3
}

# Malformed request framing answered by a server that does not check it: six connections, one
# POST each (Content-Length -1; Content-Length 3 and 5; chunked with Content-Length;
# Transfer-Encoding gzip; chunk size "zz"; a chunk not followed by CRLF), each answered by a
# correct 200 and closed. Every http.framing_error must blame the request (details.side), never
# the 200. tshark: 6 conns, 5 transactions (it does not take the POST with Content-Length -1
# for a request, so its 200 stays unpaired).
sample_framing_request() {
  local port=18144
  ka_server lenient $port --max-conns 6
  capture_start "$WORK/framing-request.pcap" "tcp port $port"
  ka_client 30 $port badrequests --timeout 1.5
  capture_stop
  stop "$SERVER_PID"
  finish framing-request 6 5
}

# The same anomalies in responses: five connections, one GET each, answered with malformed
# framing (Content-Length -1; Content-Length 3 and 5; chunked with Content-Length; chunk size
# "zz"; a chunk not followed by CRLF), then closed. Each http.framing_error blames the
# response. tshark: 5 conns, 5 requests, 4 answered (it does not take the response with
# Content-Length -1 for one).
sample_framing_response() {
  local port=18145
  ka_server badframing $port --max-conns 5
  capture_start "$WORK/framing-response.pcap" "tcp port $port"
  ka_client 30 $port plainget --count 5 --timeout 1.5
  capture_stop
  stop "$SERVER_PID"
  finish framing-response 5 4 5
}

# A server closing connections idle for 0.3 s; the client sends a POST after 0.5 s idle on
# the closed connection (reset), then retries the POST on a new connection: 2 conns,
# 3 requests, 2 answered.
sample_stale_reuse() {
  local port=18131
  ka_server idleclose $port
  capture_start "$WORK/stale-reuse.pcap" "tcp port $port"
  ka_client 20 $port stale
  capture_stop
  stop "$SERVER_PID"
  finish stale-reuse 2 2 3
}

# A server announcing Keep-Alive: timeout=1, max=N that closes after 2 requests (at max) and
# after 1 s idle (at timeout); the client comes back each time on a new connection: 3 conns,
# 4 txns.
sample_keepalive_max() {
  local port=18132
  ka_server kamax $port
  capture_start "$WORK/keepalive-max.pcap" "tcp port $port"
  ka_client 20 $port kamax
  capture_stop
  stop "$SERVER_PID"
  finish keepalive-max 3 4
}

# ---------------------------------------------------------------------------------------
# Connection-use samples (setup overhead, SYN retries, TIME_WAIT, ports, slow start, RTO).
# tools/connpattern.py is both the server (GET /size/N) and the client patterns.

# link_up A L B NET DELAY_MS [DELAYLINE ARGS...]: namespaces A (client NET.1) -- L (the delay
# line, DELAY_MS each way, plus any --drop-* arguments) -- B (server NET.2), joined by veth pairs
# A0/A1 and B0/B1 (A1 and B1 in L). Full-size frames with real checksums on the wire (no
# TSO/GSO super-frames, no partial checksums), so the line copies frames as they are and
# captures show real segments.
link_up() {
  local a=$1 l=$2 b=$3 net=$4 delay=$5 ns; shift 5
  need ethtool ethtool
  for ns in "$a" "$l" "$b"; do
    ip netns del "$ns" 2>/dev/null || true   # a leftover of an interrupted earlier run
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n "$a" link add "${a}0" type veth peer name "${a}1" netns "$l"
  ip -n "$b" link add "${b}0" type veth peer name "${b}1" netns "$l"
  ip netns exec "$a" ethtool -K "${a}0" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$b" ethtool -K "${b}0" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$l" ethtool -K "${a}1" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec "$l" ethtool -K "${b}1" tx off tso off gso off gro off >/dev/null 2>&1 || true
  ip -n "$a" addr add "$net.1/24" dev "${a}0"
  ip -n "$b" addr add "$net.2/24" dev "${b}0"
  ip -n "$l" link set "${a}1" up promisc on
  ip -n "$l" link set "${b}1" up promisc on
  ip -n "$a" link set "${a}0" up
  ip -n "$b" link set "${b}0" up
  bg "$WORK/delayline-$l.log" ip netns exec "$l" python3 "$TOOLS/delayline.py" "${a}1" "${b}1" \
    --delay-ms "$delay" --deadline 60 "$@"
  LINK_PID=$BG_PID
  LINK_NS=("$a" "$l" "$b")
  sleep 0.3   # let the line open its sockets
}

# link_down: stop the delay line and delete the three namespaces of the last link_up.
link_down() {
  local ns keep=() n
  stop "$LINK_PID"
  for ns in "${LINK_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  for n in "${NAMESPACES[@]}"; do
    case " ${LINK_NS[*]} " in *" $n "*) ;; *) keep+=("$n");; esac
  done
  NAMESPACES=("${keep[@]}")
}

# pattern_server NETNS HOST PORT: tools/connpattern.py serve, in NETNS ("" for this one).
pattern_server() {
  local ns=$1 host=$2 port=$3
  if [ -n "$ns" ]; then
    bg "$WORK/pattern-$port.log" ip netns exec "$ns" python3 "$TOOLS/connpattern.py" serve "$host" "$port" --deadline 60 "${PATTERN_SERVER_ARGS[@]}"
  else
    bg "$WORK/pattern-$port.log" python3 "$TOOLS/connpattern.py" serve "$host" "$port" --deadline 60 "${PATTERN_SERVER_ARGS[@]}"
  fi
  SERVER_PID=$BG_PID
  wait_listen "$port" "$ns"
}

# linked_sample NAME PORT CONNS TXNS CAPTURE_SIDE CLIENT_ARGS -- [DELAYLINE ARGS]: a client
# pattern across the 25 ms delay line, captured on the client's (a) or server's (b) veth.
linked_sample() {
  local name=$1 port=$2 conns=$3 txns=$4 side=$5; shift 5
  local cargs=() 
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cargs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  link_up cs-sa cs-sl cs-sb 10.99.1 25 "$@"
  # The classic congestion control (cubic: RFC 5681 slow start, restart after idle), whatever
  # this host's default (BBR restarts differently). A namespace may only pick an allowed one
  # (tcp_allowed_congestion_control, here "reno bbr"): cubic then fails and the default stays;
  # SERVER_CC=reno asks for one that is allowed, and that failure is fatal.
  if [ -n "${SERVER_CC:-}" ]; then
    ip netns exec cs-sb sysctl -qw net.ipv4.tcp_congestion_control="$SERVER_CC" \
      net.ipv4.tcp_slow_start_after_idle=1
  else
    ip netns exec cs-sb sysctl -qw net.ipv4.tcp_congestion_control=cubic 2>/dev/null || true
  fi
  pattern_server cs-sb 10.99.1.2 "$port"
  ip netns exec cs-sa ping -c 1 -W 2 10.99.1.2 >/dev/null 2>&1 || true
  capture_start "$WORK/$name.pcap" "tcp port $port" "cs-s${side}0" "cs-s$side"
  run_client 40 "$WORK/client.log" ip netns exec cs-sa python3 "$TOOLS/connpattern.py" \
    "${cargs[@]}" 10.99.1.2 "$port"
  capture_stop
  stop "$SERVER_PID"
  link_down
  finish "$name" "$conns" "$txns"
}

# The server's extra arguments in pattern_server (TLS samples set them).
PATTERN_SERVER_ARGS=()

# 8 GETs, a new connection for each, one at a time, across 25 ms each way: every request
# pays a 50 ms handshake (connection.setup_overhead).
sample_setup_serial_delay() {
  linked_sample setup-serial-delay 18120 8 8 a serial --count 8 --pause 0.02
}

# The control: the same 8 GETs on one persistent connection (one handshake).
sample_setup_persistent_delay() {
  linked_sample setup-persistent-delay 18121 1 8 a persistent --count 8 --pause 0.02
}

# 12 GETs on 12 connections, 4 at a time (parallel): 8 of the handshakes were avoidable.
sample_setup_parallel_delay() {
  linked_sample setup-parallel-delay 18122 12 12 a parallel --count 12 --width 4 --pause 0.02
}

# The loopback control: 8 connections per request on 127.0.0.1, handshakes of microseconds.
sample_setup_serial_loopback() {
  local port=18123
  pattern_server "" 127.0.0.1 $port
  capture_start "$WORK/setup-serial-loopback.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/connpattern.py" serial 127.0.0.1 $port --count 8 --pause 0.02
  capture_stop
  stop "$SERVER_PID"
  finish setup-serial-loopback 8 8
}

# The delay line drops the first SYN: the client retries it 1 s later (connection.syn_retry);
# then a connect to a closed port is refused with RST.
sample_syn_retry() {
  local port=18124 closed=18125
  link_up cs-sa cs-sl cs-sb 10.99.1 25 --drop-syn 1
  pattern_server cs-sb 10.99.1.2 $port
  ip netns exec cs-sa ping -c 1 -W 2 10.99.1.2 >/dev/null 2>&1 || true
  capture_start "$WORK/syn-retry.pcap" "tcp port $port or tcp port $closed" cs-sa0 cs-sa
  run_client 20 "$WORK/client.log" ip netns exec cs-sa python3 "$TOOLS/connpattern.py" serial 10.99.1.2 $port --count 1
  run_client 20 "$WORK/client2.log" ip netns exec cs-sa python3 "$TOOLS/connpattern.py" refused 10.99.1.2 $closed
  capture_stop
  stop "$SERVER_PID"
  link_down
  finish syn-retry 2 1
}

# 5 connections from the same client port (SO_REUSEADDR, bind 18127) on loopback; each asks
# "Connection: close" so the server closes first and holds the tuple in TIME_WAIT; the next
# SYN reuses it 0.2 s later (tcp.time_wait_reuse, server side).
sample_time_wait_reuse() {
  local port=18126
  pattern_server "" 127.0.0.1 $port
  capture_start "$WORK/time-wait-reuse.pcap" "tcp port $port"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/connpattern.py" fixedport 127.0.0.1 $port \
    --count 5 --source-port 18127 --pause 0.2
  capture_stop
  stop "$SERVER_PID"
  finish time-wait-reuse 5 5
}

# A client in its own namespace with 8 ephemeral ports (40000-40007) and tcp_tw_reuse=1
# closes first, 24 times: its ports sit in TIME_WAIT, connect() fails (EADDRNOTAVAIL) until
# the stack may reuse one (1 s), so the same 8 ports cycle (tcp.port_exhaustion, and
# tcp.time_wait_reuse on the client side).
sample_port_cycle() {
  local port=18128 ns=cs-pc
  ip netns del $ns 2>/dev/null || true
  ip netns add $ns
  NAMESPACES+=("$ns")
  ip -n $ns link set lo up
  ip netns exec $ns sysctl -qw net.ipv4.ip_local_port_range="40000 40007" net.ipv4.tcp_tw_reuse=1
  pattern_server $ns 127.0.0.1 $port
  capture_start "$WORK/port-cycle.pcap" "tcp port $port" lo $ns
  run_client 40 "$WORK/client.log" ip netns exec $ns python3 "$TOOLS/connpattern.py" cycle 127.0.0.1 $port \
    --count 24 --deadline 30
  cat "$WORK/client.log" | tail -1 >&2
  capture_stop
  stop "$SERVER_PID"
  ip netns del $ns
  NAMESPACES=()
  finish port-cycle 24 24
}

# 320 connections opened and closed at about 260 a second (no request) in a namespace of
# its own: a rate near Linux's budget of 470 a second per server port (tcp.port_exhaustion).
sample_port_burst() {
  local port=18129 ns=cs-pb
  ip netns del $ns 2>/dev/null || true
  ip netns add $ns
  NAMESPACES+=("$ns")
  ip -n $ns link set lo up
  pattern_server $ns 127.0.0.1 $port
  capture_start "$WORK/port-burst.pcap" "tcp port $port" lo $ns
  run_client 40 "$WORK/client.log" ip netns exec $ns python3 "$TOOLS/connpattern.py" burst 127.0.0.1 $port \
    --count 320 --rate 260
  capture_stop
  stop "$SERVER_PID"
  ip netns del $ns
  NAMESPACES=()
  finish port-burst 320 0
}

# A client namespace (cs-xa, 10.99.3.1) with 10 ephemeral ports (40000-40009) and
# tcp_tw_reuse=0, the server in cs-xb (10.99.3.2) across a 1 ms line: one GET per connection,
# 50 ms apart, the client closing first, until connect() fails with EADDRNOTAVAIL (every port
# in TIME_WAIT for 60 s; the failed connect sends nothing); one more try 1 s later fails too
# and the client stops (tcp.port_exhaustion: ran out of a small range, at 20 connections a
# second, far below the default budget). Captured at the client. 10 conns, 10 txns.
sample_port_exhausted() {
  local port=18170
  link_up cs-xa cs-xl cs-xb 10.99.3 1
  ip netns exec cs-xa sysctl -qw net.ipv4.ip_local_port_range="40000 40009" net.ipv4.tcp_tw_reuse=0
  pattern_server cs-xb 10.99.3.2 $port
  ip netns exec cs-xa ping -c 1 -W 2 10.99.3.2 >/dev/null 2>&1 || true
  capture_start "$WORK/port-exhausted.pcap" "tcp port $port" cs-xa0 cs-xa
  run_client 30 "$WORK/client.log" ip netns exec cs-xa python3 "$TOOLS/connpattern.py" exhaust \
    10.99.3.2 $port --count 40 --pause 0.05 --idle 1.0
  cat "$WORK/client.log" | grep exhaust >&2
  grep -q "failed with EADDRNOTAVAIL after 10 connections" "$WORK/client.log" \
    || die "port-exhausted: the client did not run out after 10 connections"
  capture_stop
  stop "$SERVER_PID"
  link_down
  finish port-exhausted 10 10
}

# 120,000-byte responses across the 25 ms delay line on one connection: the first on the new
# connection (slow start from 10 segments: 3 round trips), the second warm (1), the third
# after 1 s idle (RFC 5681 §4.1 allows a restart from slow start; the server ran this host's
# default BBR, cubic not being allowed in the namespace, and BBR does not restart: it sent it in
# one flight, so it is the no-restart control) (tcp.slow_start).
sample_slow_start_delay() {
  linked_sample slow-start-delay 18130 1 3 a fetch --path /size/120000 --path /size/120000 \
    --path /size/120000 --idle 1.0 --pause 0.02
}

# One 262,144-byte response on a new connection across the 25 ms delay line, Reno on the server
# (RFC 5681 slow start from an initial window of 10 segments, RFC 6928): 5 round trips where a
# warm window needs 1, with no warm response on the connection to compare with (tcp.slow_start
# judged on its own).
sample_slow_start_cold() {
  SERVER_CC=reno linked_sample slow-start-cold 18171 1 1 a fetch --path /size/262144
}

# Three 131,072-byte responses on one connection across the 25 ms delay line, Reno on the
# server: the first from slow start, the second warm, the third after 1.5 s idle (longer than
# the retransmission timeout), when tcp_slow_start_after_idle=1 restarts the window from the
# initial window (RFC 5681 §4.1) (tcp.slow_start, restart_after_idle).
sample_slow_start_idle() {
  SERVER_CC=reno linked_sample slow-start-idle 18172 1 3 a fetch --path /size/131072 \
    --path /size/131072 --path /size/131072 --idle 1.5 --pause 0.02
}

# The slow-start-delay exchange over TLS 1.3 (Python's ssl on both sides, a self-signed
# certificate made here): without keys the responses are inferred exchanges, on which the
# new-connection slow start is reported (marked inferred). The client writes the key log
# (samples/tls-slow-start.keylog); tshark's expected transactions are the decrypted ones.
sample_tls_slow_start() {
  local name=tls-slow-start
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj /CN=connscope.test -addext subjectAltName=DNS:connscope.test \
    -keyout "$WORK/tls-key.pem" -out "$WORK/tls-cert.pem" 2>/dev/null || die "openssl req failed"
  mkdir -p "$OUT"
  : >"$OUT/$name.keylog" # the client appends its session's keys; finish's tshark reads them
  PATTERN_SERVER_ARGS=(--tls-cert "$WORK/tls-cert.pem" "$WORK/tls-key.pem")
  export TSHARK_OPTS="tls.keylog_file:$OUT/$name.keylog"
  linked_sample "$name" 18133 1 3 a fetch --path /size/120000 --path /size/120000 \
    --path /size/120000 --idle 1.0 --pause 0.02 --tls-ca "$WORK/tls-cert.pem" \
    --keylog "$OUT/$name.keylog"
  unset TSHARK_OPTS
  PATTERN_SERVER_ARGS=()
  chmod 644 "$OUT/$name.keylog"
}

# 3 GETs on one connection across the delay line, which drops the server's second response
# once: the server retransmits it on a timeout. Captured on the server's side, where the
# original leaves (tcp.retransmission_stall).
sample_rto_delay() {
  linked_sample rto-delay 18131 1 3 b persistent --count 3 --pause 0.05 -- --drop-data 18131:2
}

# ---------------------------------------------------------------------------------------
# Loss and recovery (ports 18160-18161).

# bottleneck_up DROP_ARGS...: link_up cs-la -- cs-ll -- cs-lb (10.99.2.0/24, 20 ms each way)
# with tc tbf on the link's interface toward the client: 20 Mbit/s and a queue of 32 KB
# (about 22 full frames, a third of the 100 KB bandwidth-delay product), so a download's slow
# start overflows it. The delay line sends into the tbf; the frames the full queue refuses are
# dropped (counted in its log). Cubic on the server.
bottleneck_up() {
  link_up cs-la cs-ll cs-lb 10.99.2 20 "$@"
  ip netns exec cs-ll tc qdisc add dev cs-la1 root tbf rate 20mbit burst 16kb limit 32kb
  ip netns exec cs-lb sysctl -qw net.ipv4.tcp_congestion_control=cubic 2>/dev/null || true
}

# A 2 MiB download (curl) through the 20 Mbit/s bottleneck: slow start overshoots the short
# queue, a burst of frames is dropped and the server recovers with SACK fast retransmits
# (tcp.loss_recovery). Captured at both ends at once, headers only (snaplen 128: the request
# and the status line with Content-Length fit): at the client (bottleneck-loss, after the
# drops: holes filled later) and at the server (bottleneck-loss-server, before the drops:
# every original is seen, and the retransmissions repeat them). 1 conn, 1 txn.
sample_bottleneck_loss() {
  local port=18160
  bottleneck_up
  pattern_server cs-lb 10.99.2.2 $port
  ip netns exec cs-la ping -c 1 -W 2 10.99.2.2 >/dev/null 2>&1 || true
  CAP_SNAPLEN=128 capture_start "$WORK/bottleneck-loss-server.pcap" "tcp port $port" cs-lb0 cs-lb
  local server_cap_pid=$CAP_PID server_cap_err=$CAP_ERR
  CAP_SNAPLEN=128 capture_start "$WORK/bottleneck-loss.pcap" "tcp port $port" cs-la0 cs-la
  run_client 30 "$WORK/curl.log" ip netns exec cs-la curl -sS -o /dev/null \
    "http://10.99.2.2:$port/size/$((2 << 20))"
  capture_stop
  CAP_PID=$server_cap_pid CAP_ERR=$server_cap_err
  capture_stop
  stop "$SERVER_PID"
  link_down
  cat "$WORK/delayline-cs-ll.log" >&2
  finish bottleneck-loss 1 1
  finish bottleneck-loss-server 1 1
}

# A 256 KiB download (curl) across the 20 ms + 20 ms delay line without a bottleneck; the line
# drops the server's 40th data frame once, in the middle of a full flight: the client's SACKs
# report the hole and the server fast-retransmits it (tcp.loss_recovery, at a known place).
# Captured at the client, headers only. 1 conn, 1 txn.
sample_drop_fast_retransmit() {
  local port=18161
  link_up cs-la cs-ll cs-lb 10.99.2 20 --drop-data $port:40
  ip netns exec cs-lb sysctl -qw net.ipv4.tcp_congestion_control=cubic 2>/dev/null || true
  pattern_server cs-lb 10.99.2.2 $port
  ip netns exec cs-la ping -c 1 -W 2 10.99.2.2 >/dev/null 2>&1 || true
  CAP_SNAPLEN=128 capture_start "$WORK/drop-fast-retransmit.pcap" "tcp port $port" cs-la0 cs-la
  run_client 30 "$WORK/curl.log" ip netns exec cs-la curl -sS -o /dev/null \
    "http://10.99.2.2:$port/size/$((256 << 10))"
  capture_stop
  stop "$SERVER_PID"
  link_down
  finish drop-fast-retransmit 1 1
}

# ---------------------------------------------------------------------------------------
# What limited a transfer (ports 18151-18153).

# A slow reader: the client's socket has SO_RCVBUF 4096 (set before connect: Linux doubles it,
# and the SYN announces no window scaling), and it reads the 1 MiB body 4 KiB every 10 ms. The
# server writes the body in one sendall() and then waits on the client's window: window-full
# and zero-window segments, each ACK a window update (tcp.receive_window_limited; the control
# for the delayed-ACK and Nagle rule-out). 1 conn, 1 txn.
sample_slow_reader() {
  local port=18151
  py_server bulk 127.0.0.1 $port --body-size $((1 << 20))
  capture_start "$WORK/slow-reader.pcap" "tcp port $port"
  run_client 30 "$WORK/client.log" python3 "$TOOLS/client.py" slowread 127.0.0.1 $port \
    --path /bulk --rcvbuf 4096 --read-size 4096 --read-pause 0.01
  capture_stop
  stop "$SERVER_PID"
  finish slow-reader 1 1
  python3 "$TOOLS/inspect_pcap.py" window "$OUT/slow-reader.pcap"
}

# The slow reader across the 25 ms + 25 ms delay line (cs-a client, cs-b server), 128 KiB, captured
# at both ends at once: near the receiver (slow-reader-link, the client's veth) and near the sender
# (slow-reader-link-server). A 4 KiB window per 50 ms round trip limits it before the reader does.
sample_slow_reader_link() {
  local port=18153
  link_up cs-a cs-link cs-b 10.99.0 25
  bg "$WORK/server-$port.log" ip netns exec cs-b python3 "$TOOLS/server.py" bulk 10.99.0.2 $port \
    --deadline 60 --body-size $((128 << 10))
  SERVER_PID=$BG_PID
  wait_listen $port cs-b
  ip netns exec cs-a ping -c 1 -W 2 10.99.0.2 >/dev/null 2>&1 || true
  capture_start "$WORK/slow-reader-link-server.pcap" "tcp port $port" cs-b0 cs-b
  local server_cap_pid=$CAP_PID server_cap_err=$CAP_ERR
  capture_start "$WORK/slow-reader-link.pcap" "tcp port $port" cs-a0 cs-a
  run_client 30 "$WORK/client.log" ip netns exec cs-a python3 "$TOOLS/client.py" slowread 10.99.0.2 $port \
    --path /bulk --rcvbuf 4096 --read-size 4096 --read-pause 0.01
  capture_stop
  CAP_PID=$server_cap_pid CAP_ERR=$server_cap_err
  capture_stop
  stop "$SERVER_PID"
  link_down
  finish slow-reader-link 1 1
  python3 "$TOOLS/inspect_pcap.py" window "$OUT/slow-reader-link.pcap"
  finish slow-reader-link-server 1 1
  python3 "$TOOLS/inspect_pcap.py" window "$OUT/slow-reader-link-server.pcap"
}

# A paused writer: the server writes a 1 MiB body in 64 KiB pieces, 60 ms apart; curl reads
# as fast as it comes. The window is never the limit: between pieces everything sent is
# acknowledged and the server sends nothing (tcp.sender_paused). 1 conn, 1 txn.
sample_paused_writer() {
  local port=18152
  py_server paused 127.0.0.1 $port --body-size $((1 << 20)) --piece $((64 << 10)) --pause 0.06
  capture_start "$WORK/paused-writer.pcap" "tcp port $port"
  run_client 30 "$WORK/curl.log" curl -sS -o /dev/null "http://127.0.0.1:$port/paused"
  capture_stop
  stop "$SERVER_PID"
  finish paused-writer 1 1
  python3 "$TOOLS/inspect_pcap.py" window "$OUT/paused-writer.pcap"
}

# A writer that paused once: the server writes a 2 MiB body in two 1 MiB pieces, 300 ms apart
# (loopback segments are up to 64 KiB, so each piece is well over 10 segments); curl reads at
# once. One pause is below tcp.sender_paused's count of 2, so tcp.transfer_limited names the
# limit: 'sender (application-limited)', costing the pause. 1 conn, 1 txn.
sample_one_pause_writer() {
  local port=18154
  py_server paused 127.0.0.1 $port --body-size $((2 << 20)) --piece $((1 << 20)) --pause 0.3
  CAP_BUFFER=65536 capture_start "$WORK/one-pause-writer.pcap" "tcp port $port"
  run_client 30 "$WORK/curl.log" curl -sS -o /dev/null "http://127.0.0.1:$port/one-pause"
  capture_stop
  stop "$SERVER_PID"
  finish one-pause-writer 1 1
  python3 "$TOOLS/inspect_pcap.py" window "$OUT/one-pause-writer.pcap"
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

# The keepalive-get traffic captured with a 96-byte snapshot length: every frame is cut, the
# headers partly and the bodies entirely (capture.truncated). 1 conn, 2 txns.
sample_snaplen_truncated() {
  local port=18141 url=http://127.0.0.1:18141
  nginx_start $port
  CAP_SNAPLEN=96 capture_start "$WORK/snaplen-truncated.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS -o /dev/null -o /dev/null "$url/b.html" "$url/c.bin"
  capture_stop
  stop "$NGINX_PID" QUIT
  finish snaplen-truncated 1 2
}

# A response of 60 one-kilobyte segments, captured with a filter that leaves out every server
# packet whose IP identification ends in 0x7: the capture misses data the client acknowledged
# (capture.loss), as a capture point that drops packets does. 1 conn, 1 txn.
sample_capture_loss() {
  local port=18142
  py_server dribble 127.0.0.1 $port
  capture_start "$WORK/capture-loss.pcap" \
    "tcp port $port and not (tcp src port $port and ip[5] & 0x0f = 0x07)"
  run_client 20 "$WORK/curl.log" curl -sS -o /dev/null "http://127.0.0.1:$port/dribble"
  capture_stop
  stop "$SERVER_PID"
  finish capture-loss 1 0 1   # tshark cannot reassemble the response around the holes
  # but its head was captured (checked here): expected/ lists its status (it was hand-written so
  # before, and re-recording overwrote it with "-")
  [ "$(tshark -r "$OUT/capture-loss.pcap" -Y "tcp.srcport == $port &&
      tcp.payload contains \"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 60000\"" \
      2>/dev/null | wc -l)" = 1 ] || die "capture-loss: the response head is not in the capture"
  sed -i 's|^0\tGET\t/dribble\t-$|0\tGET\t/dribble\t200|' "$EXPECTED/capture-loss.tsv"
}

# A server that reads the request and never answers; curl gives up after 1.5 s and closes
# (http.unanswered). 1 conn, 1 request, no response.
sample_unanswered() {
  local port=18143
  py_server silent 127.0.0.1 $port
  capture_start "$WORK/unanswered.pcap" "tcp port $port"
  timeout 10 curl -sS -m 1.5 -o /dev/null "http://127.0.0.1:$port/never" >/dev/null 2>&1 || true
  capture_stop
  stop "$SERVER_PID"
  finish unanswered 1 0 1
}

# ---------------------------------------------------------------------------------------
# One-sided, mid-stream and damaged captures (ports 18144-18149): what real capture points give.

# packets FILE: the number of packets in a capture.
packets() {
  tshark -r "$1" -T fields -e frame.number 2>/dev/null | wc -l
}

# ns_loopback NS: a namespace of our own whose lo has an Ethernet MTU (1500) and no
# segmentation offload, so a large response leaves as many real 1448-byte segments (on the
# host's lo one 64 KB packet would carry it).
ns_loopback() {
  need ethtool ethtool
  ip netns del "$1" 2>/dev/null || true   # a leftover of an interrupted earlier run
  ip netns add "$1"
  NAMESPACES+=("$1")
  ip -n "$1" link set lo mtu 1500 up
  ip netns exec "$1" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
}

# ns_delete NS: delete a namespace of ns_loopback.
ns_delete() {
  local n keep=()
  ip netns del "$1" 2>/dev/null || true
  for n in "${NAMESPACES[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
  NAMESPACES=("${keep[@]}")
}

# One run of traffic, captured three ways at once: one-direction-requests keeps only the
# client's packets (tcp dst port P), one-direction-responses only the server's (tcp src port P),
# as a tap on one direction or asymmetric routing gives; the third, both ways, stays in $WORK
# and checks that the traffic is what we think and that the two halves add up to it.
# tools/server.py paths (every response in one send()) in a namespace with an MTU-1500 lo;
# tools/client.py paths: 3 keep-alive connections one after the other, each with 5 GETs:
# /ok/1 (200, 256 B), /missing/1 (404), /size/12000 (200, 9 segments), /missing/2 (404),
# /size/2000 (200, 2 segments).
sample_one_direction_requests() {
  local port=18144 ns=cs-od
  ns_loopback $ns
  bg "$WORK/server-$port.log" ip netns exec $ns python3 "$TOOLS/server.py" paths 127.0.0.1 $port \
    --max-conns 3 --deadline 60
  SERVER_PID=$BG_PID
  wait_listen $port $ns
  capture_start "$WORK/one-direction-both.pcap" "tcp port $port" lo $ns
  local both_pid=$CAP_PID both_err=$CAP_ERR
  capture_start "$WORK/one-direction-responses.pcap" "tcp src port $port" lo $ns
  local resp_pid=$CAP_PID resp_err=$CAP_ERR
  capture_start "$WORK/one-direction-requests.pcap" "tcp dst port $port" lo $ns
  run_client 20 "$WORK/client.log" ip netns exec $ns python3 "$TOOLS/client.py" paths 127.0.0.1 $port \
    --conns 3 --pause 0.01 --path /ok/1 --path /missing/1 --path /size/12000 --path /missing/2 \
    --path /size/2000
  capture_stop
  CAP_PID=$resp_pid CAP_ERR=$resp_err
  capture_stop
  CAP_PID=$both_pid CAP_ERR=$both_err
  capture_stop
  stop "$SERVER_PID"
  ns_delete $ns
  # the whole traffic: 3 connections, 15 GETs, all answered
  python3 "$TOOLS/inspect_pcap.py" check "$WORK/one-direction-both.pcap" 3 15 15 --responses 15
  local n_req n_resp n_both
  n_req=$(packets "$WORK/one-direction-requests.pcap")
  n_resp=$(packets "$WORK/one-direction-responses.pcap")
  n_both=$(packets "$WORK/one-direction-both.pcap")
  [ $((n_req + n_resp)) = "$n_both" ] ||
    die "one-direction: $n_req + $n_resp packets in the halves, $n_both in the whole"
  # tshark sees one side only. Requests: 3 handshakes (the client's SYNs), 15 requests, none
  # answered, no response.
  finish one-direction-requests 3 0 15 --responses 0 --streams 3
  # Responses: no SYN (the 3 connections counted by the server's SYN/ACKs), no request, and
  # 15 responses, each a row of its own in expected/.
  finish one-direction-responses 3 0 0 --responses 15 --streams 3 --handshakes synack
}

# The same run, by the name of its second capture.
sample_one_direction_responses() {
  sample_one_direction_requests
}

# nginx; tools/client.py midstream: connections A and B (TCP keep-alive probes every second
# when idle) make 1 and 2 requests, then idle; the capture starts; A makes 2 more at once, a new
# connection C makes 1; all idle 2.5 s (the kernel probes A and B, nginx answers each probe);
# B makes 3 requests (its first captured packet is a probe) and A 1. In the capture: 3
# connections, one handshake (C), 7 transactions.
sample_midstream_keepalive() {
  local port=18146 go=$WORK/midstream.go client i p keep=()
  nginx_custom $port ""
  bg "$WORK/client.log" timeout 30 python3 "$TOOLS/client.py" midstream 127.0.0.1 $port \
    --go "$go" --idle 2.5
  client=$BG_PID
  for i in $(seq 100); do
    grep -qs '^IDLE' "$WORK/client.log" && break
    sleep 0.1
  done
  grep -qs '^IDLE' "$WORK/client.log" || { cat "$WORK/client.log" >&2; die "midstream client not ready"; }
  capture_start "$WORK/midstream-keepalive.pcap" "tcp port $port"
  touch "$go"
  wait "$client" || { cat "$WORK/client.log" >&2; die "client failed: midstream"; }
  for p in "${PIDS[@]}"; do [ "$p" = "$client" ] || keep+=("$p"); done   # reaped: nothing to stop
  PIDS=("${keep[@]}")
  capture_stop
  stop "$NGINX_PID" QUIT
  finish midstream-keepalive 1 7 7 --responses 7 --streams 3
  python3 "$TOOLS/inspect_pcap.py" probes "$OUT/midstream-keepalive.pcap" 2
}

# tools/server.py paths; tools/client.py paths: one keep-alive connection, 6 GETs alternating
# /missing/N (404) and /ok/N (200), each sent after the previous response. The capture filter
# leaves out exactly one server segment: the one that carries the whole 404 answering
# /missing/2 (payload "HTTP" at 0, "404 " at 9, "/2\r\n" at 40: the end of its first header,
# "X-Path: /missing/2"; a BPF expression on the payload). The client acknowledges bytes the capture never saw. A second
# capture, with nothing left out, checks that exactly one packet is missing. 1 conn, 6
# requests, 5 answered; paired by ACK numbers (in-order pairing would shift the rest).
sample_lost_response_head() {
  local port=18147 off='((tcp[12:1] & 0xf0) >> 2)' lost n_all n_lossy
  # the payload length test first: a load past the end of a packet rejects the packet whatever
  # the rest of the filter says (so the server's pure ACKs would go too)
  lost="tcp src port $port and ip[2:2] - ((ip[0] & 0x0f) << 2) - $off >= 44"
  lost="$lost and tcp[$off:4] = 0x48545450 and tcp[$off + 9:4] = 0x34303420"
  lost="$lost and tcp[$off + 40:4] = 0x2f320d0a"
  py_server paths 127.0.0.1 $port
  capture_start "$WORK/lost-response-head-all.pcap" "tcp port $port"
  local all_pid=$CAP_PID all_err=$CAP_ERR
  capture_start "$WORK/lost-response-head.pcap" "tcp port $port and not ($lost)"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" paths 127.0.0.1 $port --pause 0.01 \
    --path /missing/1 --path /ok/1 --path /missing/2 --path /ok/2 --path /missing/3 --path /ok/3
  capture_stop
  CAP_PID=$all_pid CAP_ERR=$all_err
  capture_stop
  stop "$SERVER_PID"
  n_all=$(packets "$WORK/lost-response-head-all.pcap")
  n_lossy=$(packets "$WORK/lost-response-head.pcap")
  [ $((n_all - n_lossy)) = 1 ] || die "lost-response-head: $n_all packets in all, $n_lossy kept"
  [ "$(tshark -r "$WORK/lost-response-head-all.pcap" -Y 'http.response.code == 404 &&
      http.response.line contains "X-Path: /missing/2"' | wc -l)" = 1 ] ||
    die "lost-response-head: the left-out packet is not the 404 of /missing/2"
  python3 "$TOOLS/inspect_pcap.py" check "$WORK/lost-response-head-all.pcap" 1 6 6 --pair-by-ack
  finish lost-response-head 1 5 6 --pair-by-ack --responses 5
}

# The chunked-and-head exchange (tools/server.py mixed: GET /chunked -> 5 chunks, each its own
# segment 5 ms apart; HEAD /file; GET /cached -> 304; DELETE /item/7 -> 204), captured with a
# filter that leaves out exactly one server segment in the middle of the chunked body: chunk 2
# (payload "135\r\nchunk 2 ", 326 bytes with its framing). A second capture, with nothing left
# out, checks that exactly one packet is missing. 1 conn, 4 requests, all answered; tshark
# cannot rebuild the chunked body around the hole and shows 3 (checked), the chunked one not.
sample_lost_chunk() {
  local port=18149 off='((tcp[12:1] & 0xf0) >> 2)' lost n_all n_lossy
  lost="tcp src port $port and ip[2:2] - ((ip[0] & 0x0f) << 2) - $off >= 13"
  lost="$lost and tcp[$off:4] = 0x3133350d and tcp[$off + 5:4] = 0x6368756e and tcp[$off + 9:4] = 0x6b203220"
  py_server mixed 127.0.0.1 $port
  capture_start "$WORK/lost-chunk-all.pcap" "tcp port $port"
  local all_pid=$CAP_PID all_err=$CAP_ERR
  capture_start "$WORK/lost-chunk.pcap" "tcp port $port and not ($lost)"
  run_client 20 "$WORK/client.log" python3 "$TOOLS/client.py" mixed 127.0.0.1 $port
  capture_stop
  CAP_PID=$all_pid CAP_ERR=$all_err
  capture_stop
  stop "$SERVER_PID"
  n_all=$(packets "$WORK/lost-chunk-all.pcap")
  n_lossy=$(packets "$WORK/lost-chunk.pcap")
  [ $((n_all - n_lossy)) = 1 ] || die "lost-chunk: $n_all packets in all, $n_lossy kept"
  python3 "$TOOLS/inspect_pcap.py" check "$WORK/lost-chunk-all.pcap" 1 4 4 --pair-by-ack
  finish lost-chunk 1 3 4 --pair-by-ack --responses 3
  # tshark shows no response whose body it cannot rebuild, but the head of this one was
  # captured (checked here): expected/ lists its status, as for capture-loss
  [ "$(tshark -r "$OUT/lost-chunk.pcap" -Y "tcp.srcport == $port &&
      tcp.payload contains \"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\"" \
      2>/dev/null | wc -l)" = 1 ] || die "lost-chunk: the chunked response's head is not in the capture"
  sed -i 's|^0\tGET\t/chunked\t-$|0\tGET\t/chunked\t200|' "$EXPECTED/lost-chunk.tsv"
}

# nginx; curl fetches 5 URLs on one keep-alive connection (one 404) with two more request
# headers, captured with tcpdump -s 128: 62 bytes of TCP payload per frame, so the start lines
# survive but no request or response head is whole. 1 conn, 5 txns.
sample_snaplen_128() {
  local port=18148 url=http://127.0.0.1:18148
  nginx_start $port
  CAP_SNAPLEN=128 capture_start "$WORK/snaplen-128.pcap" "tcp port $port"
  run_client 20 "$WORK/curl.log" curl -sS -H 'Accept-Language: en-GB,en;q=0.8' \
    -H 'X-Request-Id: 0f3c9a6e-sample-snaplen-128' -o /dev/null -o /dev/null -o /dev/null \
    -o /dev/null -o /dev/null "$url/a.txt" "$url/missing" "$url/b.html" "$url/c.bin" "$url/small.txt"
  capture_stop
  stop "$NGINX_PID" QUIT
  finish snaplen-128 1 5
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

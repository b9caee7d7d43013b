#!/usr/bin/env bash
# Records the HTTPS samples from real traffic on loopback:
#
#   samples/record-tls.sh                   writes samples/tls-https.pcap, tls-https.keylog,
#                                           tls-https-dsb.pcapng, expected/tls-https.tsv
#   SAMPLES_OUT=DIR samples/record-tls.sh   writes them under DIR instead
#
# nginx (one process, no master) serves TLS with a self-signed certificate this script makes
# (EC P-256, CN=connscope.test, valid from a fixed date) on two ports:
#   18160  TLS 1.2 and 1.3, HTTP/1.1 and h2 (ALPN), session tickets on
#   18161  TLS 1.3 only, key exchange P-256 only (a client offering an X25519 key share first
#          gets a HelloRetryRequest; a TLS 1.2-only client gets a protocol_version alert)
# curl writes SSLKEYLOGFILE (the NSS key log format). Connections, in order:
#   0  TLS 1.3, HTTP/1.1 keep-alive, 2 GETs (a.txt, b.html)
#   1  TLS 1.3, Connection: close, GET small.txt         (full handshake, ticket received)
#   2  TLS 1.3, Connection: close, GET a.txt             (same curl: resumed with the PSK)
#   3  TLS 1.2, Connection: close, GET a.txt             (full handshake, ticket received)
#   4  TLS 1.2, Connection: close, GET c.bin             (same curl: resumed with the ticket)
#   5  port 18161: TLS 1.3 with a HelloRetryRequest, HTTP/1.1 GET a.txt
#   6  port 18161: TLS 1.2-only client: handshake fails with an alert
#   7  TLS 1.3 + ALPN h2, GET /b.html over HTTP/2 (last: tshark's connection numbers in
#      expected/ then match connscope's count of connections with HTTP/1.x transactions)
# samples/tls-suites.pcap (+ .keylog, expected/tls-suites.tsv): port 18162, where nginx has an
# EC P-256 and an RSA 2048 certificate, one connection per cipher suite connscope decrypts, each
# with one GET /a.txt: TLS 1.3 AES-128-GCM and ChaCha20-Poly1305; TLS 1.2 ECDHE-ECDSA and
# ECDHE-RSA with AES-128-GCM and ChaCha20-Poly1305, RSA key exchange with AES-128-GCM and
# AES-256-GCM, AES-128-CBC-SHA (ECDHE-ECDSA) and AES-256-CBC-SHA384 (ECDHE-RSA) with
# encrypt-then-MAC; then port 18163 (encrypt-then-MAC refused): AES-128-CBC-SHA256, RSA key
# exchange, MAC-then-encrypt.
# samples/tls-nagle.pcap (+ .keylog, expected/tls-nagle.tsv): port 18164, tools/server.py onewrite
# over TLS 1.3 (Python's ssl) and tools/client.py nagle over TLS, TCP_NODELAY off: 5 POSTs on one
# connection, each written as the head in one SSL_write (one record) and the 200-byte body in a
# second: Nagle holds the body's record until the server's delayed ACK of the head's.
#   samples/record-tls.sh tls-nagle         records only this one
# samples/tls-legacy.pcap (+ .keylog, expected/tls-legacy.tsv): TLS 1.0 and 1.1 with AES-CBC and
# HMAC-SHA1 (nginx with an RSA certificate, OpenSSL at security level 0), each connection two
# keep-alive GETs of /a.txt: 0 TLS 1.1 AES128-SHA and 1 TLS 1.0 ECDHE-RSA-AES256-SHA with
# encrypt-then-MAC (port 18165); 2 TLS 1.1 AES256-SHA and 3 TLS 1.0 AES128-SHA with
# MAC-then-encrypt (port 18166, encrypt-then-MAC refused). TLS 1.1 carries each record's IV, TLS
# 1.0 chains them across records.
#   samples/record-tls.sh tls-legacy        records only this one
# The capture is a plain pcap from tcpdump; tls-https-dsb.pcapng is the same packets with the
# key log carried in a pcapng Decryption Secrets Block (editcap --inject-secrets).
# expected/tls-https.tsv lists tshark's decrypted HTTP/1.x transactions (inspect_pcap.py, with
# TSHARK_OPTS giving the key log), the h2 request excluded.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=$HERE/tools
OUT=${SAMPLES_OUT:-$HERE}
EXPECTED=$OUT/expected
WORK=$(mktemp -d /tmp/cs-tls.XXXXXX)
SCRIPT=record-tls.sh
# shellcheck source=tools/proc.sh
. "$TOOLS/proc.sh"

[ "$(id -u)" = 0 ] || die "run as root (tcpdump needs it)"
need tcpdump tcpdump
need tshark tshark
need editcap wireshark-common
need curl curl
need openssl openssl
need python3 python3
need ss iproute2

P1=18160
P2=18161
P3=18162
P4=18163
NAME=tls-https

# deterministic docroot (the same files as record.sh's)
root=$WORK/www
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
touch -d '2024-01-01 00:00:00 UTC' "$root"/*

# self-signed certificate, made here
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj /CN=connscope.test -addext subjectAltName=DNS:connscope.test \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>"$WORK/openssl.log" \
  || { cat "$WORK/openssl.log" >&2; die "openssl req failed"; }
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
  -subj /CN=connscope.test -addext subjectAltName=DNS:connscope.test \
  -keyout "$WORK/rsa-key.pem" -out "$WORK/rsa-cert.pem" 2>"$WORK/openssl.log" \
  || { cat "$WORK/openssl.log" >&2; die "openssl req (RSA) failed"; }
cat "$WORK/cert.pem" "$WORK/rsa-cert.pem" >"$WORK/ca.pem"

# capture_start FILE FILTER
capture_start() {
  local err=$WORK/tcpdump.$RANDOM.err i
  bg "$err" tcpdump -i lo -s 0 -U --immediate-mode -w "$1" "$2"
  CAP_PID=$BG_PID
  for i in $(seq 50); do
    grep -qs 'listening on' "$err" && return 0
    sleep 0.1
  done
  cat "$err" >&2
  die "tcpdump did not start"
}

# c URL...: one curl run, bounded, key log on, certificate pinned to ours
c() {
  SSLKEYLOGFILE=$KEYLOG timeout 20 curl -sS --cacert "$WORK/ca.pem" \
    --resolve connscope.test:$P1:127.0.0.1 --resolve connscope.test:$P2:127.0.0.1 \
    --resolve connscope.test:$P3:127.0.0.1 --resolve connscope.test:$P4:127.0.0.1 "$@" \
    >>"$WORK/curl.log" 2>&1 || { tail -3 "$WORK/curl.log" >&2; return 1; }
}

# tls-nagle: a client writing each POST in two SSL_writes with Nagle on, over TLS 1.3
record_tls_nagle() {
  local port=18164 name=tls-nagle
  bg "$WORK/server-$port.log" python3 "$TOOLS/server.py" onewrite 127.0.0.1 $port \
    --tls "$WORK/cert.pem" "$WORK/key.pem" --deadline 30
  local server_pid=$BG_PID
  wait_listen $port
  : >"$WORK/$name.keylog"
  capture_start "$WORK/$name.pcap" "tcp port $port"
  timeout 20 python3 "$TOOLS/client.py" nagle 127.0.0.1 $port --count 5 \
    --tls-ca "$WORK/cert.pem" --keylog "$WORK/$name.keylog" >"$WORK/client-$port.log" 2>&1 \
    || { cat "$WORK/client-$port.log" >&2; die "$name: client failed"; }
  sleep 0.3
  stop "$CAP_PID" INT
  stop "$server_pid"
  mkdir -p "$OUT" "$EXPECTED"
  mv -f "$WORK/$name.pcap" "$OUT/$name.pcap"
  cp "$WORK/$name.keylog" "$OUT/$name.keylog"
  chmod 644 "$OUT/$name.pcap" "$OUT/$name.keylog"
  TSHARK_OPTS="tls.keylog_file:$OUT/$name.keylog" \
    python3 "$TOOLS/inspect_pcap.py" expected "$OUT/$name.pcap" "$EXPECTED/$name.tsv"
  [ "$(tail -n +2 "$EXPECTED/$name.tsv" | wc -l)" = 5 ] || die "$name: tshark does not decrypt 5 requests"
  log "$name: $(cut -f1-12 "$WORK/client-$port.log" | tr '\n' ' ')"
}

# tls-legacy: TLS 1.0 and 1.1 CBC suites, with and without encrypt-then-MAC
record_tls_legacy() {
  local name=tls-legacy p=18165 q=18166 legacy args
  legacy="ssl_protocols TLSv1 TLSv1.1;
  ssl_certificate $WORK/rsa-cert.pem;
  ssl_certificate_key $WORK/rsa-key.pem;
  ssl_ciphers 'AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:@SECLEVEL=0';
  keepalive_timeout 10s;"
  nginx_run $p "$root" "$legacy
  server { listen 127.0.0.1:$q ssl; root $root; ssl_conf_command Options -EncryptThenMac; }" ssl
  local nginx_pid=$NGINX_PID
  wait_listen $q
  : >"$WORK/$name.keylog"
  capture_start "$WORK/$name.pcap" "tcp port $p or tcp port $q"
  for args in "1.1 AES128-SHA $p" "1.0 ECDHE-RSA-AES256-SHA $p" "1.1 AES256-SHA $q" "1.0 AES128-SHA $q"; do
    set -- $args
    KEYLOG=$WORK/$name.keylog c --http1.1 "--tlsv$1" --tls-max "$1" --ciphers "$2:@SECLEVEL=0" \
      --resolve "connscope.test:$3:127.0.0.1" -o /dev/null -o /dev/null \
      "https://connscope.test:$3/a.txt" "https://connscope.test:$3/a.txt"
    sleep 0.1
  done
  sleep 0.3
  stop "$CAP_PID" INT
  stop "$nginx_pid" QUIT
  mkdir -p "$OUT" "$EXPECTED"
  mv -f "$WORK/$name.pcap" "$OUT/$name.pcap"
  cp "$WORK/$name.keylog" "$OUT/$name.keylog"
  chmod 644 "$OUT/$name.pcap" "$OUT/$name.keylog"
  TSHARK_OPTS="tls.keylog_file:$OUT/$name.keylog" \
    python3 "$TOOLS/inspect_pcap.py" expected "$OUT/$name.pcap" "$EXPECTED/$name.tsv"
  [ "$(tail -n +2 "$EXPECTED/$name.tsv" | wc -l)" = 8 ] || die "$name: tshark does not decrypt 8 requests"
  local suites etm
  suites=$(tshark -r "$OUT/$name.pcap" -Y 'tls.handshake.type == 2' -T fields -e tls.handshake.version -e tls.handshake.ciphersuite 2>/dev/null | tr '\n\t' '  ')
  [ "$suites" = "0x0302 0x002f 0x0301 0xc014 0x0302 0x0035 0x0301 0x002f " ] || die "$name: versions and suites chosen: $suites"
  etm=$(tshark -r "$OUT/$name.pcap" -Y 'tls.handshake.type == 2 && tls.handshake.extension.type == 22' 2>/dev/null | wc -l)
  [ "$etm" = 2 ] || die "$name: expected encrypt-then-MAC on the 2 connections of port $p, tshark sees $etm"
  log "$name: $suites"
}

case "${1:-}" in
  tls-nagle) record_tls_nagle; exit 0 ;;
  tls-legacy) record_tls_legacy; exit 0 ;;
  "") ;;
  *) die "usage: $SCRIPT [tls-nagle|tls-legacy]" ;;
esac

prefix=$WORK/nginx
mkdir -p "$prefix/logs" "$prefix/tmp"
cat >"$prefix/nginx.conf" <<CONF
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
  ssl_certificate $WORK/cert.pem;
  ssl_certificate_key $WORK/key.pem;
  ssl_session_tickets on;
  ssl_session_cache shared:cs_tls:1m;
  ssl_session_timeout 5m;
  server {
    listen 127.0.0.1:$P1 ssl http2;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $root;
  }
  server {
    listen 127.0.0.1:$P3 ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_certificate $WORK/rsa-cert.pem;
    ssl_certificate_key $WORK/rsa-key.pem;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES128-GCM-SHA256:AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384;
    root $root;
  }
  server {
    listen 127.0.0.1:$P4 ssl;
    ssl_protocols TLSv1.2;
    ssl_certificate $WORK/rsa-cert.pem;
    ssl_certificate_key $WORK/rsa-key.pem;
    ssl_ciphers AES128-SHA256;
    ssl_conf_command Options -EncryptThenMac;
    root $root;
  }
  server {
    listen 127.0.0.1:$P2 ssl;
    ssl_protocols TLSv1.3;
    ssl_ecdh_curve prime256v1;
    root $root;
  }
}
CONF
bg "$prefix/logs/stderr.log" nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log"
NGINX_PID=$BG_PID
wait_listen $P1
wait_listen $P2
wait_listen $P3
wait_listen $P4


KEYLOG=$WORK/$NAME.keylog
: >"$KEYLOG"
: >"$WORK/suites.keylog"

capture_start "$WORK/$NAME.pcap" "tcp port $P1 or tcp port $P2"
c --http1.1 --tlsv1.3 -o /dev/null -o /dev/null "https://connscope.test:$P1/a.txt" "https://connscope.test:$P1/b.html"
sleep 0.2
c --http1.1 --tlsv1.3 -H 'Connection: close' -o /dev/null -o /dev/null \
  "https://connscope.test:$P1/small.txt" "https://connscope.test:$P1/a.txt"
sleep 0.2
c --http1.1 --tlsv1.2 --tls-max 1.2 -H 'Connection: close' -o /dev/null -o /dev/null \
  "https://connscope.test:$P1/a.txt" "https://connscope.test:$P1/c.bin"
sleep 0.2
c --http1.1 --tlsv1.3 -o /dev/null "https://connscope.test:$P2/a.txt"
sleep 0.2
if c --http1.1 --tlsv1.2 --tls-max 1.2 -o /dev/null "https://connscope.test:$P2/a.txt" 2>/dev/null; then
  die "the TLS 1.2 client was expected to fail against the TLS 1.3-only port"
fi
sleep 0.2
c --http2 --tlsv1.3 -o /dev/null "https://connscope.test:$P1/b.html"
sleep 0.3
stop "$CAP_PID" INT

# one connection per suite (curl's --tls13-ciphers / --ciphers pick it)
capture_start "$WORK/tls-suites.pcap" "tcp port $P3 or tcp port $P4"
for suite in TLS_AES_128_GCM_SHA256 TLS_CHACHA20_POLY1305_SHA256; do
  KEYLOG=$WORK/suites.keylog c --http1.1 --tlsv1.3 --tls13-ciphers "$suite" -o /dev/null "https://connscope.test:$P3/a.txt"
  sleep 0.1
done
for suite in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-GCM-SHA256 \
             ECDHE-RSA-CHACHA20-POLY1305 AES128-GCM-SHA256 AES256-GCM-SHA384 \
             ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES256-SHA384; do
  KEYLOG=$WORK/suites.keylog c --http1.1 --tlsv1.2 --tls-max 1.2 --ciphers "$suite" -o /dev/null "https://connscope.test:$P3/a.txt"
  sleep 0.1
done
# CBC, MAC-then-encrypt: the server on $P4 refuses encrypt-then-MAC
KEYLOG=$WORK/suites.keylog c --http1.1 --tlsv1.2 --tls-max 1.2 --ciphers AES128-SHA256 -o /dev/null "https://connscope.test:$P4/a.txt"
sleep 0.3
stop "$CAP_PID" INT
stop "$NGINX_PID" QUIT
record_tls_nagle
record_tls_legacy
mkdir -p "$OUT" "$EXPECTED"
mv -f "$WORK/tls-suites.pcap" "$OUT/tls-suites.pcap"
cp "$WORK/suites.keylog" "$OUT/tls-suites.keylog"
chmod 644 "$OUT/tls-suites.pcap" "$OUT/tls-suites.keylog"
TSHARK_OPTS="tls.keylog_file:$OUT/tls-suites.keylog" \
  python3 "$TOOLS/inspect_pcap.py" expected "$OUT/tls-suites.pcap" "$EXPECTED/tls-suites.tsv"
suites=$(tshark -r "$OUT/tls-suites.pcap" -Y 'tls.handshake.type == 2' -T fields -e tls.handshake.ciphersuite 2>/dev/null | tr '\n' ' ')
[ "$suites" = "0x1301 0x1303 0xc02b 0xcca9 0xc02f 0xcca8 0x009c 0x009d 0xc009 0xc028 0x003c " ] || die "tls-suites: suites chosen: $suites"
etm=$(tshark -r "$OUT/tls-suites.pcap" -Y 'tls.handshake.type == 2 && tls.handshake.extension.type == 22' 2>/dev/null | wc -l)
[ "$etm" = 2 ] || die "tls-suites: expected encrypt-then-MAC on the 2 CBC connections of port $P3, tshark sees $etm"
[ "$(tail -n +2 "$EXPECTED/tls-suites.tsv" | wc -l)" = 11 ] || die "tls-suites: tshark does not decrypt 11 requests"
log "tls-suites: suites $suites"

mkdir -p "$OUT" "$EXPECTED"
mv -f "$WORK/$NAME.pcap" "$OUT/$NAME.pcap"
cp "$KEYLOG" "$OUT/$NAME.keylog"
editcap --inject-secrets "tls,$OUT/$NAME.keylog" "$OUT/$NAME.pcap" "$OUT/$NAME-dsb.pcapng"
chmod 644 "$OUT/$NAME.pcap" "$OUT/$NAME.keylog" "$OUT/$NAME-dsb.pcapng"

# checks: 8 connections, 6 answered HTTP/1.x requests with the key log, none without
conns=$(tshark -r "$OUT/$NAME.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e tcp.stream | sort -u | wc -l)
[ "$conns" = 8 ] || die "expected 8 connections, tshark sees $conns"
plain=$(tshark -r "$OUT/$NAME.pcap" -Y http.request 2>/dev/null | wc -l)
[ "$plain" = 0 ] || die "tshark sees $plain HTTP requests without the key log"
TSHARK_OPTS="tls.keylog_file:$OUT/$NAME.keylog" \
  python3 "$TOOLS/inspect_pcap.py" expected "$OUT/$NAME.pcap" "$EXPECTED/$NAME.tsv"
rows=$(tail -n +2 "$EXPECTED/$NAME.tsv" | wc -l)
[ "$rows" = 7 ] || die "expected 7 decrypted HTTP/1.x requests, tshark lists $rows"
cut -f1 "$EXPECTED/$NAME.tsv" | tail -n +2 | sort -u | tr "\n" " " | grep -qx "0 1 2 3 4 5 " \
  || die "expected HTTP/1.x rows on connections 0-5"
h2=$(tshark -r "$OUT/$NAME.pcap" -o "tls.keylog_file:$OUT/$NAME.keylog" -Y 'http2.headers.method' 2>/dev/null | wc -l)
[ "$h2" -ge 1 ] || die "tshark sees no HTTP/2 request on the h2 connection"
hrr=$(tshark -r "$OUT/$NAME.pcap" -Y 'tls.handshake.extensions.supported_version == 0x0304 && tls.handshake.random == cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c' 2>/dev/null | wc -l)
[ "$hrr" = 1 ] || die "expected 1 HelloRetryRequest, tshark sees $hrr"
alerts=$(tshark -r "$OUT/$NAME.pcap" -Y 'tls.alert_message' 2>/dev/null | wc -l)
log "$NAME: $conns connections, $rows decrypted requests, $h2 h2 request frames, $hrr HRR, $alerts alert records"

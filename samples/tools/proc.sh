# Shared by samples/record.sh and the bench scripts: processes and namespaces started here are
# remembered and ended by PID / deleted on exit; packages are installed when missing.
# Before sourcing, set SCRIPT (the name used in error messages) and WORK (a scratch directory
# removed on exit). Bash only.

PIDS=()          # every background process we started (killed by PID on exit)
NAMESPACES=()    # every network namespace we created (deleted on exit)
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
  [ -z "${WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }
die() { log "$SCRIPT: $*"; exit 1; }

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

# nginx_run PORT DOCROOT HTTP_DIRECTIVES [LISTEN_OPTIONS [SERVER_DIRECTIVES]]: one nginx process
# (no master, no access log, everything under $WORK) on 127.0.0.1:PORT serving DOCROOT; its PID
# in NGINX_PID.
nginx_run() {
  local port=$1 root=$2 extra=$3 listen=${4:-} server=${5:-} prefix=$WORK/nginx-$1
  need nginx nginx-light
  mkdir -p "$prefix/logs" "$prefix/tmp"
  cat >"$prefix/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  $extra
  server {
    listen 127.0.0.1:$port $listen;
    root $root;
    $server
  }
}
CONF
  bg "$prefix/logs/stderr.log" nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log"
  NGINX_PID=$BG_PID
  wait_listen "$port"
}

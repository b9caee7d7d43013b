#!/usr/bin/env bash
# Splits real samples into rotated files, as `tcpdump -C` or a dumpcap ring buffer leaves a long
# capture: the input of the multi-file tests and goldens (one capture read as several files).
# No traffic is recorded here: each set is an existing sample of samples/, cut every N packets by
# editcap (wireshark-common), in pcap format, named NAME-K.pcap in samples/rotated/.
#
#   samples/split-rotated.sh            # every set
#   SAMPLES_OUT=/tmp/r samples/split-rotated.sh
#
# Sets (sample, packets per file): chosen so that a transaction, a finding's evidence and a TLS
# handshake run across a file boundary.
set -euo pipefail

cd "$(dirname "$0")"
OUT="${SAMPLES_OUT:-rotated}"
command -v editcap >/dev/null || { echo "split-rotated.sh: editcap (wireshark-common) is missing" >&2; exit 1; }
mkdir -p "$OUT"

split() { # NAME PACKETS_PER_FILE
  local name="$1" per="$2" tmp
  tmp="$(mktemp -d)"
  editcap -F pcap -c "$per" "$name.pcap" "$tmp/$name.pcap"
  local k=0
  # editcap names its pieces NAME_NNNNN_TIMESTAMP.pcap, in order
  for f in $(ls "$tmp" | sort); do
    mv "$tmp/$f" "$OUT/$name-$k.pcap"
    k=$((k + 1))
  done
  rmdir "$tmp"
  echo "$name: $k files of at most $per packets in $OUT"
}

split nagle-post-split 9
split tls-https 50

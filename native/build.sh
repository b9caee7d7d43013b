#!/bin/sh
# Builds libconnscope_pcap.so into $1 (the Maven build passes target/classes/native/OS-ARCH, so
# the library ships inside the jar). Skips cleanly, with one line, when a piece is missing: live
# capture then uses pcap4j's per-packet loop.
set -e
out=${1:?usage: build.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "native helper skipped: no C compiler ($cc); install gcc to build it" >&2
  exit 0
fi
if [ ! -f /usr/include/pcap/pcap.h ]; then
  echo "native helper skipped: no libpcap headers; install libpcap-dev to build it" >&2
  exit 0
fi
mkdir -p "$out"
src="$here/connscope_pcap.c"
lib="$out/libconnscope_pcap.so"
if [ "$lib" -nt "$src" ]; then
  exit 0
fi
"$cc" -O2 -fPIC -shared -Wall -Wextra -Werror -o "$lib.tmp" "$src" -lpcap
mv "$lib.tmp" "$lib"
echo "native helper built: $lib"

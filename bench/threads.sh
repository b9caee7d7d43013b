#!/usr/bin/env bash
# CPU per thread of `connscope analyze --threads N`, for each N: the scaling table of
# docs/performance.md ("Every core"). With a core per busy thread, the busiest thread is the
# critical path; on a machine with fewer cores, compare the totals.
#
#   bench/threads.sh CAPTURE [N...]          (default N: 1 2 4)
#
# Samples every thread's CPU time with async-profiler 3.0 (the tools.profiler:async-profiler jar
# from Maven Central, fetched into ~/.m2 when missing; its linux-x64 agent is extracted into
# target/bench/), 1 ms interval, and charges each sample to its thread: reading (main), each shard,
# the merge, the report writer, the JIT compilers, and the collector and other VM threads. Runs
# the launcher (target/connscope), the JSON report to /dev/null. Prints one Markdown row per N.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench/threads.sh CAPTURE [N...]" >&2; exit 2; }
capture=$1; shift
[ -f "$capture" ] || { echo "threads.sh: no such capture: $capture" >&2; exit 2; }
[ $# -gt 0 ] || set -- 1 2 4
[ -x "$ROOT/target/connscope" ] || (cd "$ROOT" && mvn -B -q -o -DskipTests package)
JAR=$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar
[ -f "$JAR" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:3.0
AGENT=$ROOT/target/bench/async-profiler/linux-x64/libasyncProfiler.so
if [ ! -f "$AGENT" ]; then
  mkdir -p "$ROOT/target/bench/async-profiler"
  (cd "$ROOT/target/bench/async-profiler" && unzip -q -o "$JAR" 'linux-x64/*')
fi
out=$(mktemp -d /tmp/cs-threads.XXXXXX)
echo "| capture | threads | reading (s) | shards (s each) | merging (s) | report (s) | JIT compilers (s) | GC, VM (s) | all CPU (s) | busiest thread (s) | peak RSS (MB) |"
echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for n in "$@"; do
  CONNSCOPE_JAVA_OPTS="${CONNSCOPE_JAVA_OPTS:-} -agentpath:$AGENT=start,event=cpu,interval=1ms,threads,file=$out/$n.txt,collapsed" \
    /usr/bin/time -f "%M" -o "$out/$n.rss" "$ROOT/target/connscope" analyze "$capture" --threads "$n" \
    --no-progress --format json -o /dev/null > /dev/null # the agent says "Profiling started" here
  python3 - "$out/$n.txt" "$(basename "$capture")" "$n" "$(tail -1 "$out/$n.rss")" <<'PY'
import collections, re, sys
path, name, n, rss = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
per = collections.Counter()
shards = collections.Counter()
for line in open(path):
    stack, count = line.rstrip().rsplit(' ', 1)
    thread = re.sub(r'\s*tid=\d+', '', stack.split(';')[0]).strip('[]')
    if thread.startswith('connscope-shard'):
        shards[thread] += int(count)
        continue
    if 'Compiler' in thread or 'CompilerThre' in thread:
        thread = 'jit'
    elif thread not in ('main', 'connscope-merge', 'connscope-report'):
        thread = 'vm'
    per[thread] += int(count)
s = lambda ms: f"{ms / 1000:.2f}"
total = sum(per.values()) + sum(shards.values())
busiest = max([per['main'], per['connscope-merge'], per['connscope-report']] + list(shards.values()))
each = ', '.join(s(v) for v in sorted(shards.values(), reverse=True)) or ''
print(f"| {name} | {n} | {s(per['main'])} | {each} | {s(per['connscope-merge']) if per['connscope-merge'] else ''} "
      f"| {s(per['connscope-report'])} | {s(per['jit'])} | {s(per['vm'])} | {s(total)} | {s(busiest)} | {rss // 1024} |")
PY
done
rm -rf "$out"

#!/usr/bin/env bash
# The cost per connection of the Spark job's Kryo for what crosses to the stage across
# connections (issue 19; docs/spark.md, "Serialisation between the stages"): bytes and
# microseconds per connection, written and read back through KryoClasses' registrations
# (io.connscope.analysis.CrossingCost, in the test classes: it uses the analysis' package-private
# seam).
#
#   bench/kryo-cost.sh [ROUNDS] CAPTURE...        (default: 20 rounds over samples/*.pcap*)
#   KRYO_REFERENCES=false bench/kryo-cost.sh ...  (spark.kryo.referenceTracking off; Spark's
#                                                   default, and the job's, is on)
#
# Builds the test classes when missing (mvn -o test-compile) and the test classpath once
# (target/bench/test-classpath.txt). One JVM, -Xmx1g; the fastest of ROUNDS rounds is kept.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=20
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
[ $# -gt 0 ] || set -- "$ROOT"/samples/*.pcap "$ROOT"/samples/*.pcapng
cd "$ROOT"
[ -f target/test-classes/io/connscope/analysis/CrossingCost.class ] \
  || mvn -B -q -o -DskipTests test-compile
CP=target/bench/test-classpath.txt
if [ ! -f "$CP" ] || [ pom.xml -nt "$CP" ]; then
  mkdir -p target/bench
  mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP" >&2
fi
# the add-opens Spark needs on Java 17 (those of the pom's 'spark' test execution)
OPENS=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
  java.util.concurrent java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action \
  sun.util.calendar; do
  OPENS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
exec java -Xmx1g "${OPENS[@]}" -Dkryo.references="${KRYO_REFERENCES:-true}" -cp "target/test-classes:target/classes:$(cat "$CP")" io.connscope.analysis.CrossingCost "$rounds" "$@"

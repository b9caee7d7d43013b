#!/usr/bin/env bash
# spark-submit, as a data engineer runs it, on a machine without a Spark installation:
#
#   bench/spark-submit.sh --master 'local[2]' --driver-memory 1g \
#       --class io.connscope.spark.SparkAnalyze target/connscope.jar samples/ --out /tmp/cs-out
#
# With $SPARK_HOME/bin/spark-submit (a Spark installation), that is run with the same arguments.
# Otherwise this does what a distribution's bin/spark-submit and bin/spark-class do: Spark's own
# launcher (org.apache.spark.launcher.Main) builds the command of org.apache.spark.deploy.SparkSubmit
# (the JVM options for --driver-memory, the module --add-opens Spark needs on Java 17, the
# classpath of $SPARK_HOME/jars), which is then run. The Spark home is made once in
# target/spark-home: a RELEASE file and links to the jars of a Spark distribution at the project's
# Spark version (bench/spark-dist/pom.xml, resolved offline from the local Maven repository that
# building the project filled). connscope.jar is the application jar, as on a cluster.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "$@"
fi

HOME_DIR=$ROOT/target/spark-home
VERSION=$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
if [ "$(cat "$HOME_DIR/RELEASE" 2>/dev/null)" != "Spark $VERSION (jars resolved by Maven)" ]; then
  rm -rf "$HOME_DIR.part"
  mkdir -p "$HOME_DIR.part/jars"
  # offline first (the build resolved Spark's jars); online when the dependency plugin or a jar
  # is not in the local repository yet (a fresh machine)
  resolve() {
    mvn -q -B "$@" -f "$ROOT/bench/spark-dist/pom.xml" -Dspark.version="$VERSION" \
      dependency:build-classpath -Dmdep.outputFile="$HOME_DIR.part/classpath.txt" >&2
  }
  resolve -o 2>/dev/null || resolve
  IFS=: read -r -a JARS <"$HOME_DIR.part/classpath.txt" || true # no newline at its end
  ln -s "${JARS[@]}" "$HOME_DIR.part/jars/"
  echo "Spark $VERSION (jars resolved by Maven)" >"$HOME_DIR.part/RELEASE"
  rm -rf "$HOME_DIR"
  mv "$HOME_DIR.part" "$HOME_DIR"
fi

export SPARK_HOME=$HOME_DIR SPARK_SCALA_VERSION=2.13
# bin/spark-class: the launcher prints its messages, a NUL and a newline, then the command
# (NUL-separated); the launcher's exit code follows
CMD=()
FIRST=true
while IFS= read -d '' -r ARG; do
  if $FIRST; then
    [ -z "$ARG" ] || printf '%s\n' "$ARG" >&2
    FIRST=false
  elif [ ${#CMD[@]} -eq 0 ]; then
    CMD+=("${ARG#$'\n'}")
  else
    CMD+=("$ARG")
  fi
done < <(java -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
  org.apache.spark.deploy.SparkSubmit "$@"; printf '%d\0' $?)
LAST=$((${#CMD[@]} - 1))
[ "$LAST" -ge 0 ] || exit 1
[ "${CMD[$LAST]}" = 0 ] || exit "${CMD[$LAST]}"
exec "${CMD[@]:0:$LAST}"

#!/usr/bin/env bash
# Runs a NeuralRate job through spark-submit.
#
#   ./submit.sh [spark-submit options] <subcommand> [options]
#
# Subcommands: train, predict, generate-sample-data, import-movielens (the job), and benchmark,
# throughput, scaling (the measuring tools, a main class of their own).
#
# With SPARK_HOME set, $SPARK_HOME/bin/spark-submit is used. Without it, the Spark jars that the
# Maven build places under target/spark/jars (an embedded local Spark) run
# org.apache.spark.deploy.SparkSubmit directly, so only Java 17 and Maven are needed.
# The application jar is built first if it is missing. --master defaults to local[*].
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The build's output folder (the Spark 3.5 build, -Pspark-3.5, writes target/spark-3.5).
BUILD_DIR="${NEURALRATE_BUILD_DIR:-$HERE/target}"
EMBEDDED_SPARK="$BUILD_DIR/spark"
MAIN_CLASS="io.neuralrate.job.NeuralRateCli"

app_jar() { compgen -G "$BUILD_DIR/neuralrate-*.jar" | head -n 1 || true; }
APP_JAR="$(app_jar)"
if [[ -z "$APP_JAR" || ( -z "${SPARK_HOME:-}" && ! -d "$EMBEDDED_SPARK/jars" ) ]]; then
  echo "Building NeuralRate (first run)..." >&2
  (cd "$HERE" && mvn -B -q -DskipTests package) >&2
  APP_JAR="$(app_jar)"
fi

# spark-submit options come before the subcommand; all of them take a value except these flags.
SPARK_ARGS=()
HAS_MASTER=false
DRIVER_MEMORY="${NEURALRATE_DRIVER_MEMORY:-2g}"
DRIVER_JAVA_OPTIONS=""
while [[ $# -gt 0 && "$1" == -* ]]; do
  case "$1" in
    --verbose|-v|--supervise) SPARK_ARGS+=("$1"); shift ;;
    # The embedded driver runs in this script's JVM, so its heap is set here, not by SparkSubmit.
    --driver-memory) DRIVER_MEMORY="$2"; SPARK_ARGS+=("$1" "$2"); shift 2 ;;
    --driver-memory=*) DRIVER_MEMORY="${1#*=}"; SPARK_ARGS+=("$1"); shift ;;
    # Likewise its JVM options (split on spaces, as spark-submit does).
    # Merged with the log configuration below: spark-submit keeps only the last of two.
    --driver-java-options) DRIVER_JAVA_OPTIONS="$2"; shift 2 ;;
    --driver-java-options=*) DRIVER_JAVA_OPTIONS="${1#*=}"; shift ;;
    --master) HAS_MASTER=true; SPARK_ARGS+=("$1" "$2"); shift 2 ;;
    --master=*) HAS_MASTER=true; SPARK_ARGS+=("$1"); shift ;;
    --*=*) SPARK_ARGS+=("$1"); shift ;;
    *) [[ $# -ge 2 ]] || { echo "spark-submit option $1 needs a value" >&2; exit 2; }
       SPARK_ARGS+=("$1" "$2"); shift 2 ;;
  esac
done
if [[ $# -eq 0 ]]; then
  echo "usage: $0 [spark-submit options] <train|predict|generate-sample-data|import-movielens|benchmark|throughput|scaling> [options]" >&2
  exit 2
fi
case "$1" in
  benchmark|throughput|scaling) MAIN_CLASS="io.neuralrate.bench.BenchCli" ;;
esac
$HAS_MASTER || SPARK_ARGS+=(--master "local[*]")

export NEURALRATE_CONF="${NEURALRATE_CONF:-$HERE/conf/neuralrate.conf}"
LOG_CONF="-Dlog4j2.configurationFile=file:$HERE/conf/log4j2.properties"
SPARK_ARGS+=(--driver-java-options "$LOG_CONF${DRIVER_JAVA_OPTIONS:+ $DRIVER_JAVA_OPTIONS}")

if [[ -n "${SPARK_HOME:-}" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" --class "$MAIN_CLASS" "${SPARK_ARGS[@]}" "$APP_JAR" "$@"
fi

# The options Spark's own launcher adds for Java 17.
JAVA_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
)
# Workers started from these jars launch executors only when they know the Scala line: read it off spark-core.
SCALA_LINE="$(compgen -G "$EMBEDDED_SPARK/jars/spark-core_*.jar" | head -n 1 | sed -E 's/.*spark-core_([0-9.]+)-.*/\1/')"
export SPARK_HOME="$EMBEDDED_SPARK" SPARK_SCALA_VERSION="$SCALA_LINE"
read -r -a DRIVER_JAVA_OPTS <<< "$DRIVER_JAVA_OPTIONS"
exec java -Xmx"$DRIVER_MEMORY" "${JAVA_OPENS[@]}" "$LOG_CONF" ${DRIVER_JAVA_OPTS[@]+"${DRIVER_JAVA_OPTS[@]}"} \
  -cp "$EMBEDDED_SPARK/jars/*" org.apache.spark.deploy.SparkSubmit \
  --class "$MAIN_CLASS" "${SPARK_ARGS[@]}" "$APP_JAR" "$@"

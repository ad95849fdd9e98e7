#!/usr/bin/env bash
# Starts or stops a Spark standalone cluster on 127.0.0.1 from the embedded Spark jars
# (target/spark/jars, placed there by the Maven build): one master and N one-core workers, each in
# its own JVM; the workers launch executors in JVMs of their own.
#
#   bench/standalone-cluster.sh start [workers=2]   # prints the master URL
#   bench/standalone-cluster.sh stop
#
# Then: ./submit.sh --master spark://127.0.0.1:7077 train
# State (pids, logs, worker dirs) lives in $NEURALRATE_CLUSTER_DIR (default target/cluster); each
# worker offers $NEURALRATE_WORKER_MEMORY (default 2g) to executors.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPARK="${NEURALRATE_BUILD_DIR:-$HERE/target}/spark"
STATE="${NEURALRATE_CLUSTER_DIR:-$HERE/target/cluster}"
MASTER_PORT="${NEURALRATE_MASTER_PORT:-7077}"
WORKER_MEMORY="${NEURALRATE_WORKER_MEMORY:-2g}"   # what each worker may give its executors

# A worker launches executors through SPARK_HOME (which must hold the jars in jars/) and, without a
# Spark build tree, needs the Scala version spelled out (read off the spark-core jar).
SCALA_LINE="$(compgen -G "$SPARK/jars/spark-core_*.jar" | head -n 1 | sed -E 's/.*spark-core_([0-9.]+)-.*/\1/')"
export SPARK_HOME="$SPARK" SPARK_SCALA_VERSION="$SCALA_LINE" SPARK_LOCAL_IP=127.0.0.1

launch() { # name main-class args...
  local name="$1" main="$2"; shift 2
  nohup java -Xmx512m -cp "$SPARK/jars/*" "$main" "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

case "${1:-}" in
  start)
    workers="${2:-2}"
    [[ -d "$SPARK/jars" ]] || (cd "$HERE" && mvn -B -q -DskipTests package)
    [[ ! -e "$STATE/master.pid" ]] || { echo "already running (see $STATE); stop it first" >&2; exit 1; }
    mkdir -p "$STATE"
    launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" --webui-port 0
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$MASTER_PORT") 2>/dev/null && break
      sleep 0.2
    done
    for ((w = 0; w < workers; w++)); do
      mkdir -p "$STATE/worker-$w"
      launch "worker-$w" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory "$WORKER_MEMORY" \
        --webui-port 0 --work-dir "$STATE/worker-$w" "spark://127.0.0.1:$MASTER_PORT"
    done
    for _ in $(seq 150); do
      [[ "$(grep -l "Successfully registered with master" "$STATE"/worker-*.log 2>/dev/null | wc -l)" -eq "$workers" ]] && break
      sleep 0.2
    done
    echo "spark://127.0.0.1:$MASTER_PORT"
    ;;
  stop)
    for pidfile in "$STATE"/*.pid; do
      [[ -e "$pidfile" ]] || continue
      pid="$(cat "$pidfile")"
      pkill -TERM -P "$pid" 2>/dev/null || true   # the executors a worker launched
      kill "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    done
    ;;
  *)
    echo "usage: $0 start [workers] | stop" >&2
    exit 2
    ;;
esac

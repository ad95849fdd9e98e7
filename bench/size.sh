#!/usr/bin/env bash
# Growth with data size on a 2-worker standalone cluster (one core each, executors in their own
# JVMs): for each size, synthetic ratings (20,000 users, 5,000 items), then `train` for 2 epochs,
# with features only or (ID_EMBEDDINGS=true) with user and item id embeddings as well, while the
# peak resident memory of the driver JVM and of each executor JVM is sampled every 0.5 s.
#
#   [EXECUTOR_MEMORY=4g] [ID_EMBEDDINGS=false] bench/size.sh [sizes, default "1000000 5000000 20000000"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES="${1:-1000000 5000000 20000000}"
EXECUTOR_MEMORY="${EXECUTOR_MEMORY:-4g}"   # each executor caches its half of the packed rows
ID_EMBEDDINGS="${ID_EMBEDDINGS:-false}"
WORK="$HERE/target/bench-size"
cd "$HERE"
trap 'bench/standalone-cluster.sh stop' EXIT
MASTER="$(NEURALRATE_WORKER_MEMORY=6g bench/standalone-cluster.sh start 2)"
mkdir -p "$WORK"
source "$HERE/bench/peak-rss.sh"
for n in $SIZES; do
  [[ -d "$WORK/data-$n/ratings" ]] || ./submit.sh generate-sample-data --output "$WORK/data-$n" \
    --users 20000 --items 5000 --ratings "$n" --seed 5 >/dev/null 2>&1
  touch "$WORK/running"
  # This run's driver only (its output root is on its command line): another job's driver on the machine
  # would otherwise be counted. Executors: any of the machine's (only this bench's cluster should run).
  (peak "org.apache.spark.deploy.SparkSubmit.*output.root=$WORK/out-$n" > "$WORK/driver-$n") &
  (peak 'CoarseGrainedExecutorBackend' > "$WORK/executor-$n") &
  start=$(date +%s)
  ./submit.sh --master "$MASTER" --executor-memory "$EXECUTOR_MEMORY" --driver-memory 2g train --run-date 2026-01-01 \
    --set output.root="$WORK/out-$n" --set input.users="$WORK/data-$n/users" \
    --set input.items="$WORK/data-$n/items" --set input.ratings="$WORK/data-$n/ratings" \
    --set features.id-embeddings="$ID_EMBEDDINGS" --set model.max-epochs=2 --set model.num-workers=2 \
    > "$WORK/log-$n" 2>&1
  end=$(date +%s)
  rm -f "$WORK/running"; wait
  epochs=$(grep -o 'epoch [0-9]/2: .*' "$WORK/log-$n" | sed 's/.*(\([0-9.]*\) s, \([0-9]*\) samples.*/\1 s (\2 samples\/s)/' | paste -sd';')
  echo "ratings $n (id embeddings $ID_EMBEDDINGS): epochs [$epochs], job $((end - start)) s, peak RSS driver $(cat "$WORK/driver-$n") MB, executor $(cat "$WORK/executor-$n") MB"
done

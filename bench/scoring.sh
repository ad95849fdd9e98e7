#!/usr/bin/env bash
# Scoring cost against the number of ids: `predict` with saved models of different id counts on the
# same number of pairs, on a 2-worker standalone cluster (one core and 4 GB each, executors in their
# own JVMs). Each argument is a model folder and the data folder it was trained on (its ratings are
# the pairs scored, its users and items the feature tables), as `bench/ids.sh` leaves them under
# target/bench-ids. Reports the time to score and write (from the job's log) per run.
#
# With BEFORE set to another checkout of NeuralRate (built: `mvn -B -DskipTests package` there),
# each model is scored by that build and this one alternately, REPEATS times (ABBA).
#
#   [BEFORE=/path/to/old/checkout] [REPEATS=2] bench/scoring.sh MODEL_DIR:DATA_DIR [MODEL_DIR:DATA_DIR ...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${REPEATS:-2}"
WORK="$HERE/target/bench-scoring"
[[ $# -gt 0 ]] || { echo "usage: $0 MODEL_DIR:DATA_DIR ..." >&2; exit 2; }
cd "$HERE"
mvn -B -q -DskipTests package
[[ -z "${BEFORE:-}" ]] || (cd "$BEFORE" && mvn -B -q -DskipTests package)
trap 'bench/standalone-cluster.sh stop' EXIT
MASTER="$(NEURALRATE_WORKER_MEMORY=6g bench/standalone-cluster.sh start 2)"
mkdir -p "$WORK"

score() { # label checkout model data
  local label="$1" checkout="$2" model="$3" data="$4" name
  name="$(basename "$data")-$label-$(date +%s%N)"
  "$checkout/submit.sh" --master "$MASTER" --executor-memory 4g --driver-memory 2g predict \
    --model "$model" --input "$data/ratings" --output-root "$WORK/out-$name" --run-date 2026-01-01 \
    --set input.users="$data/users" --set input.items="$data/items" > "$WORK/log-$name" 2>&1
  local seconds
  seconds="$(sed -n 's/.*Scored and wrote the predictions in \([0-9.]*\) s.*/\1/p' "$WORK/log-$name")"
  rm -rf "$WORK/out-$name"
  echo "RESULT {\"build\": \"$label\", \"data\": \"$(basename "$data")\", \"score_and_write_s\": ${seconds:-null}}" \
    | tee -a "$WORK/results.jsonl"
}

for pair in "$@"; do
  model="${pair%%:*}"; data="${pair##*:}"
  for ((r = 0; r < REPEATS; r++)); do
    if [[ -z "${BEFORE:-}" ]]; then
      score after "$HERE" "$model" "$data"
    elif (( r % 2 == 0 )); then
      score before "$BEFORE" "$model" "$data"; score after "$HERE" "$model" "$data"
    else
      score after "$HERE" "$model" "$data"; score before "$BEFORE" "$model" "$data"
    fi
  done
done

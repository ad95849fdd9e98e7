#!/usr/bin/env bash
# Reproduces the figures in bench/SCALING.md: starts a 2-worker standalone cluster (one core per
# worker), then runs `submit.sh scaling` with 1 and 2 (and 4) training workers on MovieLens-100K fold
# u1 and on 1M synthetic ratings, and stops the cluster again.
#
#   bench/scaling.sh /path/to/ml-100k
#
# MovieLens-100K is not shipped (its licence forbids redistribution): download ml-100k.zip from
# GroupLens (grouplens.org/datasets/movielens/100k) and unzip it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -ge 1 && -f "$1/u1.base" ]] || { echo "usage: $0 /path/to/ml-100k (the unzipped MovieLens-100K folder)" >&2; exit 2; }
ML100K="$(cd "$1" && pwd)"
WORK="$HERE/target/bench-scaling"
cd "$HERE"
trap 'bench/standalone-cluster.sh stop' EXIT
MASTER="$(bench/standalone-cluster.sh start 2)"
mkdir -p "$WORK"
[[ -d "$WORK/u1/test-ratings" ]] || ./submit.sh import-movielens --input "$ML100K" --ratings-file u1.base \
  --test-ratings-file u1.test --output "$WORK/u1"
[[ -d "$WORK/synthetic-1m/ratings" ]] || ./submit.sh generate-sample-data --output "$WORK/synthetic-1m" \
  --users 20000 --items 5000 --ratings 1000000 --seed 11
CLUSTER=(--master "$MASTER" --executor-memory 1500m)
./submit.sh "${CLUSTER[@]}" scaling --workers 1,2,4 --set output.root="$WORK/out-u1" \
  --set input.users="$WORK/u1/users" --set input.items="$WORK/u1/items" \
  --set input.ratings="$WORK/u1/ratings" --set input.test-ratings="$WORK/u1/test-ratings"
./submit.sh "${CLUSTER[@]}" scaling --workers 1,2 --set output.root="$WORK/out-1m" \
  --set input.users="$WORK/synthetic-1m/users" --set input.items="$WORK/synthetic-1m/items" \
  --set input.ratings="$WORK/synthetic-1m/ratings" --set model.max-epochs=3
echo "Reports: $WORK/out-u1/scaling/*/scaling.md $WORK/out-1m/scaling/*/scaling.md"

#!/usr/bin/env bash
# Scoring cost against the number of ids: `predict` with saved models of different id counts on the
# same number of pairs, on a 2-worker standalone cluster (one core and 4 GB each, executors in their
# own JVMs). Each argument is a model folder and the data folder it was trained on (its ratings are
# the pairs scored, its users and items the feature tables), as `bench/ids.sh` leaves them under
# target/bench-ids. Reports the time to score and write (from the job's log), the executors' CPU time
# in that step (from the job's event log: the tasks of its last SQL execution, the write), which the
# machine's other load sways less than the time, and the driver's peak resident memory (sampled every
# 0.5 s) per run. Each run's stages of that step (tasks, run and CPU time, records read from files,
# shuffle MiB read and written, first task's launch to last task's finish) go to
# target/bench-scoring/stages-<run>.tsv, to tell where time went.
#
# With BEFORE set to another checkout of NeuralRate (built: `mvn -B -DskipTests package` there),
# each model is scored by that build and this one alternately, REPEATS times (ABBA). BEFORE_SET gives
# the "before" side settings of its own (with no BEFORE, this build with those settings), e.g.
# BEFORE_SET="model.tables-keyed-by-id=false" to look the tables up by index in the same model, and
# BEFORE_CONF a Spark setting of its own, e.g. BEFORE_CONF="spark.sql.adaptive.advisoryPartitionSizeInBytes=256m".
#
#   [BEFORE=/path/to/old/checkout] [BEFORE_SET=key=value] [BEFORE_CONF=key=value] [REPEATS=2] \
#     bench/scoring.sh MODEL_DIR:DATA_DIR ...
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${REPEATS:-2}"
WORK="$HERE/target/bench-scoring"
[[ $# -gt 0 ]] || { echo "usage: $0 MODEL_DIR:DATA_DIR ..." >&2; exit 2; }
PAIRS=()
for pair in "$@"; do # MODEL_DIR:DATA_DIR, both existing; made absolute before leaving the caller's folder
  [[ "$pair" == *:* && -d "${pair%%:*}" && -d "${pair##*:}/ratings" ]] \
    || { echo "not MODEL_DIR:DATA_DIR (with DATA_DIR/ratings): $pair" >&2; exit 2; }
  PAIRS+=("$(realpath "${pair%%:*}"):$(realpath "${pair##*:}")")
done
cd "$HERE"
mvn -B -q -DskipTests package
[[ -z "${BEFORE:-}" ]] || (cd "$BEFORE" && mvn -B -q -DskipTests package)
BEFORE_ARGS=()
[[ -z "${BEFORE_SET:-}" ]] || { BEFORE_ARGS=(--set "$BEFORE_SET"); BEFORE="${BEFORE:-$HERE}"; }
CONF_ARGS=() # Spark settings of the run being started
[[ -z "${BEFORE_CONF:-}" ]] || BEFORE="${BEFORE:-$HERE}"
before() { # an empty array is unset to old bash
  [[ -z "${BEFORE_CONF:-}" ]] || CONF_ARGS=(--conf "$BEFORE_CONF")
  score before "$BEFORE" "$@" ${BEFORE_ARGS[@]+"${BEFORE_ARGS[@]}"}
  CONF_ARGS=()
}
MASTER="$(NEURALRATE_WORKER_MEMORY=6g "$HERE/bench/standalone-cluster.sh" start 2)"
trap '"$HERE/bench/standalone-cluster.sh" stop' EXIT
mkdir -p "$WORK"
source "$HERE/bench/peak-rss.sh"

score() { # label checkout model data [predict options]
  local label="$1" checkout="$2" model="$3" data="$4" name
  shift 4
  name="$(basename "$data")-$label-$(date +%s%N)"
  local status=0 seconds cpu
  touch "$WORK/running"
  mkdir -p "$WORK/events-$name"
  (peak "SparkSubmit.*out-$name" > "$WORK/driver-$name") & # this run's driver only
  "$checkout/submit.sh" --master "$MASTER" --executor-memory 4g --driver-memory 2g \
    --conf spark.eventLog.enabled=true --conf spark.eventLog.dir="file://$WORK/events-$name" \
    --conf spark.eventLog.rolling.enabled=false --conf spark.eventLog.compress=false \
    ${CONF_ARGS[@]+"${CONF_ARGS[@]}"} predict \
    --model "$model" --input "$data/ratings" --output-root "$WORK/out-$name" --run-date 2026-01-01 \
    --set input.users="$data/users" --set input.items="$data/items" "$@" > "$WORK/log-$name" 2>&1 || status=$?
  rm -f "$WORK/running"; wait
  seconds="$(sed -n 's/.*Scored and wrote the predictions in \([0-9.]*\) s.*/\1/p' "$WORK/log-$name" | tail -n 1)"
  cpu="$(python3 - "$WORK/events-$name" "$WORK/stages-$name.tsv" <<'EOF'
import glob, json, sys
events = [json.loads(line) for f in glob.glob(sys.argv[1] + "/*") for line in open(f)]
jobs = [(int(e.get("Properties", {}).get("spark.sql.execution.id", -1)), e["Stage IDs"])
        for e in events if e["Event"] == "SparkListenerJobStart"]
write = max(execution for execution, _ in jobs)  # the write is the job's last SQL execution
stages = {s for execution, ids in jobs if execution == write for s in ids}
per_stage = {}  # stage: tasks, run s, CPU s, records read from files, shuffle MiB read, shuffle MiB written
span = {}  # stage: its first task's launch and last task's finish, ms
for e in events:
    if e["Event"] == "SparkListenerTaskEnd" and e["Stage ID"] in stages and "Task Metrics" in e:
        info, first_last = e["Task Info"], span.setdefault(e["Stage ID"], [float("inf"), 0])
        first_last[:] = [min(first_last[0], info["Launch Time"]), max(first_last[1], info["Finish Time"])]
        m, row = e["Task Metrics"], per_stage.setdefault(e["Stage ID"], [0] * 6)
        shuffle_read = m.get("Shuffle Read Metrics", {})  # a metric a task lacks counts as 0
        for i, value in enumerate([1, m.get("Executor Run Time", 0) / 1e3, m.get("Executor CPU Time", 0) / 1e9,
                                   m.get("Input Metrics", {}).get("Records Read", 0),
                                   (shuffle_read.get("Remote Bytes Read", 0)
                                    + shuffle_read.get("Local Bytes Read", 0)) / 2**20,
                                   m.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0) / 2**20]):
            row[i] += value
with open(sys.argv[2], "w") as out:
    out.write("stage\ttasks\trun_s\tcpu_s\tfile_records\tshuffle_read_mib\tshuffle_write_mib\twall_s\n")
    for stage, row in sorted(per_stage.items()):
        wall = (span[stage][1] - span[stage][0]) / 1e3  # first launch to last finish: the slots' idle time shows
        out.write("\t".join([str(stage)] + [str(round(v, 2)) for v in row + [wall]]) + "\n")
print(round(sum(row[2] for row in per_stage.values()), 2))
EOF
)" || cpu=""
  rm -rf "$WORK/out-$name" "$WORK/events-$name"
  # A failed run is recorded (exit status, no time) and the series goes on; its log stays in $WORK.
  echo "RESULT {\"build\": \"$label\", \"data\": \"$(basename "$data")\", \"exit\": $status, \"score_and_write_s\": ${seconds:-null}, \"executor_cpu_s\": ${cpu:-null}, \"driver_peak_mb\": $(cat "$WORK/driver-$name"), \"log\": \"log-$name\"}" \
    | tee -a "$WORK/results.jsonl"
}

for pair in "${PAIRS[@]}"; do
  model="${pair%%:*}"; data="${pair##*:}"
  for ((r = 0; r < REPEATS; r++)); do
    if [[ -z "${BEFORE:-}" ]]; then
      score after "$HERE" "$model" "$data"
    elif (( r % 2 == 0 )); then
      before "$model" "$data"; score after "$HERE" "$model" "$data"
    else
      score after "$HERE" "$model" "$data"; before "$model" "$data"
    fi
  done
done

#!/usr/bin/env bash
# Growth with the number of ids, at a fixed number of ratings, on a 2-worker standalone cluster
# (one core each, executors in their own JVMs, 4 GB each): for each users x items point, synthetic
# ratings, then `train` with user and item id embeddings for 2 epochs, then `predict` on the same
# pairs with the saved model. Per run it reports the epoch times, the preparation time (job start
# to the first training round, from the log), the task-result bytes per round (from Spark's event
# log), the bytes the sharded tables shuffle per round, the count of "large task binary" warnings,
# the peak resident memory of the driver and of the executors (sampled every 0.5 s), the most heap
# the driver held after a young collection (its GC log) and the scoring time.
#
# With BEFORE set to another checkout of NeuralRate (built: `mvn -B -DskipTests package` there),
# every point runs that build and this one alternately, REPEATS times, on the same data: the
# before/after comparison of one session on a shared machine.
#
# TRAIN_SET adds settings to every train run, e.g. TRAIN_SET="--set model.table-broadcast-threshold=-1".
# The large point of the sharded tables (20M ratings over 5M x 500k ids, dim 32, one epoch, 6 GB
# executors):
#   RATINGS=20000000 EPOCHS=1 EXECUTOR_MEMORY=6g TRAIN_SET="--set model.embedding-dim=32" \
#     bench/ids.sh "5000000:500000"
#
#   [BEFORE=/path/to/old/checkout] [REPEATS=1] [RATINGS=1000000] [EPOCHS=2] [EXECUTOR_MEMORY=4g] \
#     [TRAIN_SET=...] bench/ids.sh ["20000:5000 200000:20000 1000000:100000"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POINTS="${1:-20000:5000 200000:20000 1000000:100000}"
RATINGS="${RATINGS:-1000000}"
REPEATS="${REPEATS:-1}"
EPOCHS="${EPOCHS:-2}"
EXECUTOR_MEMORY="${EXECUTOR_MEMORY:-4g}"
WORK="$HERE/target/bench-ids"
cd "$HERE"
# Both builds are made before anything is measured.
mvn -B -q -DskipTests package
[[ -z "${BEFORE:-}" ]] || (cd "$BEFORE" && mvn -B -q -DskipTests package)
trap 'rm -f "$WORK/running"; bench/standalone-cluster.sh stop' EXIT
MASTER="$(NEURALRATE_WORKER_MEMORY=6g bench/standalone-cluster.sh start 2)"
mkdir -p "$WORK"

source "$HERE/bench/peak-rss.sh"

run() { # label checkout data-dir
  local label="$1" checkout="$2" data="$3" name out events
  name="$(basename "$data")-$label-$(date +%s)"
  out="$WORK/out-$name"; events="$WORK/events-$name"
  mkdir -p "$events"
  local conf=(--set input.users="$data/users" --set input.items="$data/items")
  touch "$WORK/running"
  # This run's driver only (its output root is on its command line): another job's driver on the machine
  # would otherwise be counted. Executors: any of the machine's (only this bench's cluster should run).
  (peak "org.apache.spark.deploy.SparkSubmit.*output.root=$out" > "$WORK/driver-$name") &
  (peak 'CoarseGrainedExecutorBackend' > "$WORK/executor-$name") &
  local start end
  start=$(date +%s)
  # The driver's GC log gives the heap it still held after each young collection, which depends less on the
  # collector's sizing of a 2 GB heap than its resident memory does.
  "$checkout/submit.sh" --master "$MASTER" --executor-memory "$EXECUTOR_MEMORY" --driver-memory 2g \
    --driver-java-options "-Xlog:gc:file=$WORK/gc-$name.log" \
    --conf spark.eventLog.enabled=true --conf spark.eventLog.dir="file://$events" \
    --conf spark.eventLog.rolling.enabled=false --conf spark.eventLog.compress=false \
    train --run-date 2026-01-01 --set output.root="$out" "${conf[@]}" --set input.ratings="$data/ratings" \
    --set features.id-embeddings=true --set model.max-epochs=$EPOCHS --set model.num-workers=2 \
    --set model.early-stopping-patience=0 ${TRAIN_SET:-} > "$WORK/log-$name" 2>&1
  end=$(date +%s)
  rm -f "$WORK/running"; wait
  local score_start score_end
  score_start=$(date +%s)
  "$checkout/submit.sh" --master "$MASTER" --executor-memory "$EXECUTOR_MEMORY" --driver-memory 2g predict \
    --model "$out/2026-01-01/model" --input "$data/ratings" --output-root "$out/scores" --run-date 2026-01-01 \
    "${conf[@]}" > "$WORK/predict-$name" 2>&1
  score_end=$(date +%s)
  python3 - "$WORK" "$name" "$label" "$data" "$((end - start))" "$((score_end - score_start))" "$out" <<'EOF'
import glob, json, os, re, sys
work, name, label, data, job_s, score_s, out = sys.argv[1:]
log = open(f"{work}/log-{name}").read()
stamps = re.findall(r"^(\d\d):(\d\d):(\d\d) ", log, re.M)
first = next(int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in stamps)
train = re.search(r"^(\d\d):(\d\d):(\d\d) INFO DistributedTrainer: Training ", log, re.M)
prep = ((int(train.group(1)) * 3600 + int(train.group(2)) * 60 + int(train.group(3))) - first) % 86400
epochs = [float(x) for x in re.findall(r"epoch \d+/\d+: .*?\(([0-9.]+) s,", log)]
metrics = json.load(open(f"{out}/2026-01-01/metrics.json"))
rounds = sum(e.get("rounds", 0) for e in metrics["history"])
# Task results of the training rounds only (the treeAggregate stages), not of preparation or validation jobs.
events = [json.loads(line) for f in glob.glob(f"{work}/events-{name}/*") if not f.endswith(".inprogress")
          for line in open(f)]
round_stages = {e["Stage Info"]["Stage ID"] for e in events if e["Event"] == "SparkListenerStageCompleted"
                and "DistributedTrainer" in e["Stage Info"].get("Details", "")
                and "treeAggregate" in e["Stage Info"].get("Stage Name", "")}
result_bytes = sum(e.get("Task Metrics", {}).get("Result Size", 0) for e in events
                   if e["Event"] == "SparkListenerTaskEnd" and e["Stage ID"] in round_stages)
# Bytes the sharded tables' rounds shuffle (rows served to the workers, trained rows sent to the shards).
shard_stages = {e["Stage Info"]["Stage ID"] for e in events if e["Event"] == "SparkListenerStageCompleted"
                and "ShardedTables" in e["Stage Info"].get("Details", "")}
shuffle_bytes = sum(e.get("Task Metrics", {}).get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
                    for e in events if e["Event"] == "SparkListenerTaskEnd" and e["Stage ID"] in shard_stages)
tables = re.search(r"embedding tables \(([0-9.]+) MB with optimizer state\) (\w+)", log)
# "GC(7) Pause Young (Normal) (G1 Evacuation Pause) 812M->95M(2048M) 4.1ms": the largest heap left after a young
# collection (live data plus old-generation garbage not yet collected; Remark and Cleanup pauses free nothing).
units = {"K": 1 / 1024, "M": 1, "G": 1024}
gc_log = f"{work}/gc-{name}.log"
after_gc = [int(n) * units[u] for n, u in re.findall(r"Pause Young.* \d+[KMG]->(\d+)([KMG])\(",
                                                      open(gc_log).read() if os.path.exists(gc_log) else "")]
predict_log = open(f"{work}/predict-{name}").read()
scored = re.search(r"Scored and wrote the predictions in ([0-9.]+) s", predict_log)
row = {"build": label, "data": data.rsplit("/", 1)[-1], "epochs_s": epochs, "preparation_s": prep,
       "job_s": int(job_s), "rounds": rounds, "result_kb_per_round": round(result_bytes / max(rounds, 1) / 1024, 1),
       "shuffle_kb_per_round": round(shuffle_bytes / max(rounds, 1) / 1024, 1),
       "tables": f"{tables.group(1)} MB {tables.group(2)}" if tables else "broadcast (before: no threshold)",
       "large_task_binary_warnings": log.count("Broadcasting large task binary"),
       "driver_peak_mb": int(open(f"{work}/driver-{name}").read() or 0),
       "driver_heap_after_young_gc_max_mb": round(max(after_gc)) if after_gc else None,
       "executor_peak_mb": int(open(f"{work}/executor-{name}").read() or 0),
       "predict_wall_s_with_jvm_start_and_model_load": int(score_s), "predict_write_s": float(scored.group(1)) if scored else None,
       "holdout_rmse": metrics["rmse"], "mean_predictor_rmse": metrics["mean_predictor_rmse"], "network": metrics["training"]["network"]}
print("RESULT " + json.dumps(row))
with open(f"{work}/results.jsonl", "a") as f:
    f.write(json.dumps(row) + "\n")
EOF
}

for point in $POINTS; do
  users="${point%%:*}"; items="${point##*:}"
  data="$WORK/data-$users-$items$([[ "$RATINGS" == 1000000 ]] || echo "-r$RATINGS")"
  [[ -d "$data/ratings" ]] || ./submit.sh generate-sample-data --output "$data" --users "$users" --items "$items" \
    --ratings "$RATINGS" --seed 5 > "$WORK/generate-$users-$items.log" 2>&1
  for ((r = 0; r < REPEATS; r++)); do
    if [[ -z "${BEFORE:-}" ]]; then
      run after "$HERE" "$data"
    elif (( r % 2 == 0 )); then # ABBA: neither build always runs first
      run before "$BEFORE" "$data"; run after "$HERE" "$data"
    else
      run after "$HERE" "$data"; run before "$BEFORE" "$data"
    fi
  done
done

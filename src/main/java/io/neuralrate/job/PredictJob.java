package io.neuralrate.job;

import io.neuralrate.data.FeatureJoin;
import io.neuralrate.data.Tables;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.exchange.BroadcastExchangeLike;
import org.apache.spark.sql.execution.exchange.ShuffleExchangeLike;
import org.apache.spark.sql.internal.SQLConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores (user_id, item_id) pairs with a saved model: joins the feature tables, runs the saved
 * pipeline (feature assembly included) and writes ids, rating if present, and the prediction.
 */
public final class PredictJob {
    private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);
    private static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";
    private static final String COALESCE = "spark.sql.adaptive.coalescePartitions.enabled";

    private PredictJob() {}

    /**
     * Runs the job. The scoring query runs in {@code predict.scoring-tasks} tasks, by default whole waves of the
     * cluster's task slots ({@link #scoringTasks}): while it writes, the session's
     * {@code spark.sql.shuffle.partitions} is that number and {@code spark.sql.adaptive.coalescePartitions.enabled}
     * is false (both restored after).
     *
     * @param spark the session
     * @param config job configuration (feature tables and output root)
     * @param modelPath a saved PipelineModel (a run's {@code model} folder)
     * @param pairsPath Parquet with user_id and item_id (and optionally rating)
     * @param outputRoot root of the scoring outputs; the output goes to {@code <outputRoot>/<runDate>/predictions}
     * @param runDate the run's date
     * @return the committed output folder
     */
    public static String run(SparkSession spark, JobConfig config, String modelPath, String pairsPath,
                             String outputRoot, String runDate) {
        int chosen = config.integer("predict.scoring-tasks");
        if (chosen < 0) {
            throw new IllegalArgumentException("predict.scoring-tasks must be 0 (whole waves of the task slots) or a "
                    + "number of tasks, got " + chosen);
        }
        PipelineModel model;
        try {
            model = PipelineModel.load(modelPath);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot load the model at " + modelPath + ": " + e.getMessage(), e);
        }
        if (!config.flag("model.tables-keyed-by-id")) { // look the tables up by index, as models saved without ids
            TrainJob.mlpOf(model).setEmbeddingIdCols(new String[0]);
        }
        Dataset<Row> pairs = Tables.read(spark, "ratings", pairsPath);
        Dataset<Row> users = Tables.read(spark, "users", config.string("input.users"));
        Dataset<Row> items = Tables.read(spark, "items", config.string("input.items"));
        Dataset<Row> joined = FeatureJoin.join(pairs, hashedUnlessBroadcast(users), hashedUnlessBroadcast(items));
        long[] hashed = {hashedBytes(users), hashedBytes(items), TrainJob.mlpOf(model).shuffledTableBytes()};
        try {
            model.transformSchema(joined.schema()); // every stage checks its input columns and types
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("The pairs and feature tables do not match what the model at "
                    + modelPath + " was trained on: " + e.getMessage(), e);
        }
        List<String> keep = new ArrayList<>(List.of(Tables.USER_ID, Tables.ITEM_ID));
        if (Arrays.asList(pairs.columns()).contains(Tables.RATING)) {
            keep.add(Tables.RATING);
        }
        SQLConf sql = SQLConf.get();
        int tasks = chosen > 0 ? chosen : scoringTasks(spark.sparkContext().defaultParallelism(),
                pairs.rdd().getNumPartitions(), Arrays.stream(hashed).reduce(0, PredictJob::saturatedSum),
                (Long) sql.getConf(SQLConf.ADVISORY_PARTITION_SIZE_IN_BYTES()), sql.numShufflePartitions());
        Dataset<Row> predictions = scoreInParallel(model, joined, keep, tasks);
        long start = System.nanoTime();
        // The shuffles of the joins (if any) go to the scoring tasks as they are: not coalesced by size.
        Map<String, String> unCoalesced = Map.of(SHUFFLE_PARTITIONS, Integer.toString(tasks), COALESCE, "false");
        String output = SessionSettings.with(spark, unCoalesced,
                () -> OutputLayout.writeAtomically(spark.sparkContext().hadoopConfiguration(), outputRoot, runDate,
                        out -> predictions.write().parquet(out.staged("predictions"))));
        LOG.info("Scored and wrote the predictions in {} s ({} scoring tasks)",
                String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9), tasks);
        return output;
    }

    /**
     * A feature table as the side the pairs look their features up in. A table Spark would broadcast (its size
     * estimate, over all the table's columns, within {@code spark.sql.autoBroadcastJoinThreshold}) is left as it
     * is, and so is every table when that threshold is negative (every choice left to Spark). A larger one is
     * hinted to a shuffled hash join: its ids are unique (checked by {@link FeatureJoin}), so each partition's
     * share is an even slice to build into a hash map while the pairs stream through, where Spark's own choice, a
     * sort-merge join, sorts the pairs and the whole table only to match them (BENCHMARKS.md: a million users).
     * Only scoring does this: the train job keeps the order of Spark's join, which its seeded draw of validation
     * rows reads.
     *
     * @param table a feature table
     * @return the table, hinted where it is not broadcast
     */
    static Dataset<Row> hashedUnlessBroadcast(Dataset<Row> table) {
        return hashedBytes(table) == 0 ? table : table.hint("shuffle_hash");
    }

    /**
     * The bytes of a feature table that {@link #hashedUnlessBroadcast} hashes (Spark's size estimate), else 0.
     *
     * @param table a feature table
     * @return the bytes the scoring tasks hold between them in hash maps for it
     */
    static long hashedBytes(Dataset<Row> table) {
        long broadcastBytes = SQLConf.get().autoBroadcastJoinThreshold();
        BigInteger estimate = table.queryExecution().optimizedPlan().stats().sizeInBytes().bigInteger();
        return broadcastBytes < 0 || estimate.compareTo(BigInteger.valueOf(broadcastBytes)) <= 0 ? 0
                : estimate.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    /**
     * The number of tasks to score in: whole waves of the cluster's task slots, never fewer tasks than the pairs
     * have input splits, and enough that each task holds about {@code advisoryBytes} of the hash-joined tables
     * at most (a count for them no larger than {@code shufflePartitions}, where Spark's own shuffles start, before
     * it is rounded up to a whole wave). Scoring is the heavy part of the job and costs the same per pair
     * everywhere, so its tasks are made equal and a multiple of the slots in number: Spark's own choice, shuffle
     * partitions coalesced to its advisory size, gave 3 tasks to 2 slots at a million pairs and a million users,
     * one slot idle while the last one ran (BENCHMARKS.md). A streamed pair needs no memory, so only the hashed
     * tables bound a task's size. Their bytes are estimates: a feature table's is Spark's (its files' size),
     * and {@code Long.MAX_VALUE} where Spark has none.
     *
     * @param slots the cluster's task slots (its default parallelism)
     * @param inputPartitions the pairs' input splits
     * @param hashedBytes the bytes of the feature and embedding tables joined by hashing, not broadcast
     * @param advisoryBytes the bytes of them per task ({@code spark.sql.adaptive.advisoryPartitionSizeInBytes})
     * @param shufflePartitions the most tasks for them before the rounding (Spark's number of shuffle partitions)
     * @return the number of tasks
     */
    static int scoringTasks(int slots, int inputPartitions, long hashedBytes, long advisoryBytes,
                            int shufflePartitions) {
        int wave = Math.max(1, slots);
        long forTables = Math.min(ceilDiv(Math.max(0, hashedBytes), Math.max(1, advisoryBytes)), shufflePartitions);
        long wanted = Math.max(Math.max(wave, inputPartitions), forTables);
        return (int) Math.min(Integer.MAX_VALUE / wave * (long) wave, ceilDiv(wanted, wave) * wave);
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }

    /** {@code a + b} of non-negative sizes, {@code Long.MAX_VALUE} (a size Spark does not know) where it overflows. */
    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /**
     * {@link TrainJob#score}, spread over the scoring tasks. When no feature join shuffles the rows (every one is
     * a broadcast), the pipeline's feature stages would run in the input's own splits, and Spark never splits a
     * Parquet row group: a pairs file of one row group would go through them in one task while the other slots
     * idle, and so would the scoring itself unless a lookup of the model shuffles the rows. The rows are then
     * first spread round-robin over the {@code tasks}: one shuffle of them, a small part of what scoring them
     * costs, and a second one when a lookup of the model then shuffles them by its key. Rows that a join
     * shuffles go to as many partitions as the job's shuffles make ({@link #run} sets them to {@code tasks}).
     *
     * @param model the pipeline
     * @param rows the rows to score
     * @param keep the columns of {@code rows} to keep next to the prediction
     * @param tasks the number of scoring tasks ({@link #scoringTasks})
     * @return the predictions
     */
    static Dataset<Row> scoreInParallel(PipelineModel model, Dataset<Row> rows, List<String> keep, int tasks) {
        if (rows.isStreaming() || shuffles(rows)) { // a stream cannot be planned on its own
            return TrainJob.score(model, rows, keep);
        }
        return TrainJob.score(model, rows.repartition(tasks), keep);
    }

    /** Whether the planned query shuffles its rows (a shuffle inside a broadcast's build side does not count). */
    private static boolean shuffles(Dataset<Row> query) {
        SparkPlan plan = query.queryExecution().executedPlan(); // planned, not run
        if (plan instanceof AdaptiveSparkPlanExec adaptive) { // its initial plan, until it runs
            plan = adaptive.executedPlan();
        }
        return containsShuffle(plan);
    }

    private static boolean containsShuffle(SparkPlan plan) {
        if (plan instanceof ShuffleExchangeLike) {
            return true;
        }
        if (plan instanceof BroadcastExchangeLike) { // what it broadcasts does not move the rows
            return false;
        }
        scala.collection.Iterator<SparkPlan> children = plan.children().iterator();
        while (children.hasNext()) {
            if (containsShuffle(children.next())) {
                return true;
            }
        }
        return false;
    }
}

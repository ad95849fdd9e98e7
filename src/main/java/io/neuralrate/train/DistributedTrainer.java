package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Driver side of data-parallel training.
 *
 * <p>The rows are repartitioned into one partition per worker and packed once into cached
 * {@link DataBlock}s. Each round, every worker runs {@code syncInterval} mini-batches of its block
 * from the round's state; {@code treeAggregate} brings the dense tensors back and the driver
 * averages them, weighted by samples. The embedding tables are either broadcast whole with the
 * state and averaged on the driver ({@link BroadcastTables}, for tables up to {@code
 * tableBroadcastThreshold} bytes) or held in shards on the executors, which serve each worker the
 * rows its round looks up and average the rows sent back ({@link ShardedTables}); both give the same
 * model, bit for bit. After each epoch the validation rows are scored on the executors; early
 * stopping keeps the best parameters. The training data never reaches the driver.
 */
public final class DistributedTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);
    private static final String DRAWN_VALIDATION = "__neuralrate_validation";

    private DistributedTrainer() {}

    /**
     * Trains a network.
     *
     * @param data rows holding the layout's columns, with a label
     * @param layout how to read the rows
     * @param config training settings
     * @param indexLimits per embedding column, the number of indices that can be trained (indices at or
     *     above it, such as an indexer's bucket for unseen and null ids, train the unknown row), or -1 when
     *     every index seen in the training rows counts
     * @return the trained network and its history
     */
    public static TrainingResult fit(Dataset<Row> data, RowLayout layout, TrainingConfig config, int[] indexLimits) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        int slots = sc.defaultParallelism();
        int workers = config.numWorkers > 0 ? config.numWorkers : slots;
        if (workers > slots) {
            LOG.warn("numWorkers={} exceeds the {} task slots available now; the workers of each round run in "
                    + "waves (slower, same result)", workers, slots);
        }
        Dataset<Row> rows = data;
        RowLayout rowLayout = layout;
        if (!layout.hasValidationIndicator() && config.validationFraction > 0) {
            // Drawn before the repartition, so the validation rows do not depend on the worker count.
            rows = data.withColumn(DRAWN_VALIDATION, functions.rand(config.seed).lt(config.validationFraction));
            rowLayout = layout.withValidationCol(rows.schema(), DRAWN_VALIDATION);
        }
        // Only the columns training reads, without their metadata: a StringIndexer's metadata lists every
        // label, and the round tasks would carry that schema in their lineage (a task binary growing with the ids).
        Column[] used = Arrays.stream(rowLayout.columnNames())
                .map(c -> column(c).as(c, Metadata.empty())).toArray(Column[]::new);
        rows = rows.select(used);
        RowLayout packLayout = rowLayout.rebind(rows.schema());
        // Timed from here: with adaptive execution, making the RDD already runs the repartition's shuffle
        // (which computes every upstream transformation of the rows).
        long packingStart = System.nanoTime();
        LOG.info("Packing the training rows into {} cached blocks ...", workers);
        JavaRDD<PackedPartition> packed = rows.repartition(workers).javaRDD()
                .mapPartitions(it -> Collections.singletonList(PackedPartition.pack(it, packLayout)).iterator(), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return train(sc, packed, packingStart, packLayout, config, workers, indexLimits);
        } finally {
            packed.unpersist(false);
        }
    }

    private static TrainingResult train(JavaSparkContext sc, JavaRDD<PackedPartition> packed, long packingStart,
                                        RowLayout layout, TrainingConfig config, int workers, int[] indexLimits) {
        // The first action: packs and caches.
        BlockStats stats = BlockStats.of(packed, layout.numEmbeddings(), layout.numFeatures());
        double packingSeconds = (System.nanoTime() - packingStart) / 1e9;
        LOG.info("Packed in {} s", String.format("%.2f", packingSeconds));
        if (stats.trainingRows == 0) {
            throw new IllegalArgumentException("No training rows: the input is empty"
                    + (stats.validationRows > 0 ? " once the validation rows are set aside" : ""));
        }
        NetworkSpec spec = new NetworkSpec(layout.numFeatures(), config.hiddenLayers, config.activation,
                config.dropout, stats.cardinalities(indexLimits), config.embeddingDim, (float) stats.labelMean(),
                (float) stats.labelScale());
        long tableBytes = tableBytes(spec, config);
        boolean sharded = spec.numEmbeddings() > 0
                && (config.tableBroadcastThreshold < 0 || tableBytes > config.tableBroadcastThreshold);
        LOG.info("Training {} on {} rows ({} validation) with {} workers, {} parameters; embedding tables ({} MB "
                + "with optimizer state) {}", spec, stats.trainingRows, stats.validationRows, workers,
                spec.parameterCount(), String.format(Locale.ROOT, "%.1f", tableBytes / 1048576.0),
                sharded ? "sharded on the executors" : "broadcast whole each round");
        logUntrained(spec, stats.trained, layout);
        FeatureScaling scaling = config.standardization && spec.numFeatures() > 0 ? stats.featureScaling() : null;
        // Not destroyed when the fit ends: the result tables' lineage reads it (Spark's cleaner removes it with them).
        RowRules rowRules = new RowRules(stats.trained, scaling,
                Double.isNaN(config.minPrediction) ? stats.labelMin : config.minPrediction,
                Double.isNaN(config.maxPrediction) ? stats.labelMax : config.maxPrediction);
        Broadcast<RowRules> rules = sc.broadcast(rowRules);
        try (TrainingTables tables = sharded ? new ShardedTables(sc, spec, config, workers, rules)
                : new BroadcastTables(sc, spec, config, rules)) {
            return train(sc, packed, packingSeconds, stats, spec, config, workers, tables, rowRules);
        }
    }

    private static TrainingResult train(JavaSparkContext sc, JavaRDD<PackedPartition> packed, double packingSeconds,
                                        BlockStats stats, NetworkSpec spec, TrainingConfig config, int workers,
                                        TrainingTables tables, RowRules rules) {
        ModelState state = tables.initialState();
        FeatureScaling scaling = rules.scaling();
        long[] tableRows = rules.trained().tableRows(spec);
        long rowsPerRound = (long) config.roundBatches(workers, spec) * config.workerBatchSize(workers);
        int rounds = (int) ((stats.maxPartitionRows + rowsPerRound - 1) / rowsPerRound);

        List<EpochStats> history = new ArrayList<>();
        // The best epoch's parameters (dense only when sharded), copied when kept (averaging updates the
        // tables in place); null while the latest state is the one to return (no validation rows).
        float[][] best = null;
        double bestRmse = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        boolean stoppedEarly = false;
        String fingerprint = config.fingerprint() + "|" + spec + "|label " + spec.labelMean() + "/"
                + spec.labelScale() + "|rows " + stats.trainingRows + "/" + stats.validationRows + "|workers " + workers
                + "|" + tables.getClass().getSimpleName() + "|trained rows " + Arrays.toString(tableRows)
                + "|feature scaling " + (scaling == null ? "none" : scaling.digest());
        if (config.checkpointDir != null) {
            Optional<Checkpoint> resumed = tables.resume(config.checkpointDir, fingerprint);
            if (resumed.isPresent()) {
                Checkpoint c = resumed.get();
                state = c.state;
                best = c.best;
                bestRmse = c.bestRmse;
                bestEpoch = c.bestEpoch;
                history.addAll(c.history);
                LOG.info("Resuming from the checkpoint taken after epoch {} in {}", c.epochs(), config.checkpointDir);
            }
        }
        for (int epoch = history.size(); epoch < config.maxEpochs; epoch++) {
            long start = System.nanoTime();
            ModelState epochStart = state;
            tables.startEpoch();
            double lossSum;
            double computeSeconds;
            long samples;
            double roundSeconds;
            double rmse;
            while (true) {
                lossSum = 0;
                computeSeconds = 0;
                samples = 0;
                try {
                    for (int round = 0; round < rounds; round++) {
                        RoundResult result = tables.round(packed, state, epoch, round, workers);
                        lossSum += result.lossSum();
                        samples += result.samples();
                        computeSeconds += result.slowestWorkerSeconds();
                        state = result.average(state);
                    }
                    roundSeconds = (System.nanoTime() - start) / 1e9;
                    tables.endEpoch(epoch + 1);
                    rmse = stats.validationRows > 0 ? tables.validationRmse(packed, state, workers) : Double.NaN;
                    break;
                } catch (Exception e) { // Spark's SparkException is checked, yet thrown undeclared
                    if (!tables.canRestartEpoch(e)) {
                        throw e; // as it is: only unchecked exceptions and Spark's undeclared ones get here
                    }
                    LOG.warn("Epoch {} lost embedding shards with an executor; restarting it from its start: {}",
                            epoch + 1, e.getMessage());
                    try {
                        tables.restartEpoch();
                    } catch (Exception restart) {
                        restart.addSuppressed(e);
                        throw restart;
                    }
                    state = epochStart;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EpochStats epochStats = new EpochStats(epoch + 1, lossSum / Math.max(1, samples), rmse, seconds,
                    samples / Math.max(seconds, 1e-9), rounds, roundSeconds, computeSeconds);
            history.add(epochStats);
            LOG.info("epoch {}/{}: loss {} validation RMSE {} ({} s, {} samples/s)", epoch + 1, config.maxEpochs,
                    String.format("%.5f", epochStats.trainingLoss()), String.format("%.5f", rmse),
                    String.format("%.2f", seconds), String.format("%.0f", epochStats.samplesPerSecond()));
            if (Double.isNaN(rmse)) {
                best = null;
                bestEpoch = epoch + 1;
            } else if (rmse < bestRmse) {
                bestRmse = rmse;
                best = copy(state.parameters);
                tables.keepBest();
                bestEpoch = epoch + 1;
            } else if (config.earlyStoppingPatience > 0 && epoch + 1 - bestEpoch >= config.earlyStoppingPatience) {
                stoppedEarly = epoch + 1 < config.maxEpochs;
                LOG.info("Early stopping after epoch {}: best validation RMSE {} at epoch {}", epoch + 1,
                        bestRmse, bestEpoch);
                break;
            }
            if (!Double.isFinite(epochStats.trainingLoss())) {
                throw new IllegalStateException("Training diverged at epoch " + (epoch + 1)
                        + " (loss " + epochStats.trainingLoss() + "); lower learningRate");
            }
            // Only epochs that training continues after are saved: a checkpoint always means "resume here".
            if (config.checkpointDir != null && (epoch + 1) % config.checkpointInterval == 0
                    && epoch + 1 < config.maxEpochs) {
                tables.checkpoint(new Checkpoint(fingerprint, state, best != null ? best : state.parameters,
                        bestEpoch, bestRmse, history), config.checkpointDir);
            }
        }
        float[][] kept = best != null ? best : state.parameters;
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        float[][] dense = Arrays.copyOfRange(kept, spec.embeddingTableCount(), kept.length);
        return new TrainingResult(spec, scaling == null ? dense : scaling.fold(dense, spec),
                tables.result(kept, spark), tableRows, history, bestEpoch, stoppedEarly,
                stats.trainingRows, stats.validationRows, workers, tables instanceof ShardedTables,
                new double[] {rules.minPrediction(), rules.maxPrediction()}, packingSeconds);
    }

    /** Says how many indices below each table's cardinality occur in no training row (scored as unknown). */
    private static void logUntrained(NetworkSpec spec, TrainedIndices trained, RowLayout layout) {
        long[] rows = trained.tableRows(spec);
        for (int e = 0; e < rows.length; e++) {
            long untrained = spec.embeddingCardinalities()[e] + 1L - rows[e];
            if (untrained > 0) {
                LOG.info("{} of {} indices of {} occur in no training row (ids only in validation rows, or numbers "
                        + "an indexer gave to ids not in these rows); they are scored as unknown",
                        untrained, spec.embeddingCardinalities()[e], layout.embeddingCol(e));
            }
        }
    }

    /** The bytes of all embedding tables with their optimizer state. */
    private static long tableBytes(NetworkSpec spec, TrainingConfig config) {
        long rows = 0;
        for (int card : spec.embeddingCardinalities()) {
            rows += card + 1L;
        }
        return rows * (spec.embeddingDim() + 1L) * Float.BYTES * (1 + config.optimizer.slots());
    }

    /**
     * The (weighted) RMSE from per-partition {@code {squared errors, absolute errors, weights}}, summed in
     * partition order; NaN when the rows weigh nothing.
     */
    static double rmse(List<double[]> parts) {
        double sse = 0;
        double n = 0;
        for (double[] part : parts) {
            sse += part[0];
            n += part[2];
        }
        return Math.sqrt(sse / n);
    }

    /** A top-level column by name, even one with dots or backquotes in it. */
    private static Column column(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    private static float[][] copy(float[][] tensors) {
        float[][] out = new float[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            out[i] = tensors[i].clone();
        }
        return out;
    }

    /** PyTorch threads for the current task: Spark's {@code spark.task.cpus}. */
    static int taskThreads() {
        TaskContext context = TaskContext.get();
        return context == null ? 1 : Math.max(1, context.cpus());
    }
}

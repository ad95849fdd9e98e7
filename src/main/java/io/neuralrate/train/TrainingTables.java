package io.neuralrate.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Optional;

/**
 * Where the embedding tables live during a fit and how a round reaches them: broadcast whole from
 * the driver ({@link BroadcastTables}) or sharded on the executors ({@link ShardedTables}). Both give
 * the same model, bit for bit; the trainer's epoch loop is the same for both.
 */
interface TrainingTables extends AutoCloseable {
    /** The state training starts from (the tables' arrays empty when they live elsewhere). */
    ModelState initialState();

    /** Called before each epoch's first round (and not again when the epoch restarts). */
    void startEpoch();

    /**
     * Called after each epoch's last round, before validation (a failure here restarts the epoch).
     *
     * @param epochsDone epochs completed, this one included
     */
    void endEpoch(int epochsDone);

    /**
     * Runs one round from {@code state}.
     *
     * @return the workers' results, to be averaged into the next state
     */
    RoundResult round(JavaRDD<PackedPartition> packed, ModelState state, int epoch, int round, int workers);

    /** Whether a round that failed with {@code e} can be retried by restarting the epoch. */
    boolean canRestartEpoch(Exception e);

    /** Returns the tables to their state at the start of the epoch. */
    void restartEpoch();

    /** The validation RMSE of {@code state} over every partition's validation rows. */
    double validationRmse(JavaRDD<PackedPartition> packed, ModelState state, int workers);

    /** Keeps the current tables as the best epoch's. */
    void keepBest();

    /** Saves a checkpoint (and the tables, where the checkpoint does not hold them). */
    void checkpoint(Checkpoint checkpoint, String dir);

    /** The newest checkpoint taken with {@code fingerprint}, with the tables restored from it. */
    Optional<Checkpoint> resume(String dir, String fingerprint);

    /**
     * The trained tables as Datasets in the {@link TableRows} layout: the rows of the trained indices
     * ({@link TrainedIndices}) and the unknown row.
     *
     * @param kept the parameters kept (the best epoch's or the last), in layout order
     * @param spark the session
     */
    List<Dataset<Row>> result(float[][] kept, SparkSession spark);

    /** Releases what the tables hold on the executors, except what {@link #result} returned. */
    @Override
    void close();
}

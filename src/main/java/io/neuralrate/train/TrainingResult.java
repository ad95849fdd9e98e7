package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

/**
 * The outcome of a distributed fit.
 *
 * @param spec the trained network's shape
 * @param dense the kept parameters after the embedding tables (the best validation epoch's, or the last
 *     epoch's without validation)
 * @param tables the kept embedding tables, one cached Dataset per embedding column in the {@link TableRows}
 *     layout, holding the trained rows and the unknown row
 * @param tableRows per embedding column, the rows of its table (trained indices plus the unknown row)
 * @param history per-epoch statistics
 * @param bestEpoch 1-based epoch whose parameters were kept
 * @param stoppedEarly whether early stopping ended training before maxEpochs
 * @param trainingRows rows used for training
 * @param validationRows rows used for validation
 * @param workers number of data-parallel workers used
 * @param tablesSharded whether the embedding tables were sharded on the executors rather than broadcast
 * @param predictionRange the range validation clipped predictions to, for the model to clip to: the one set
 *     in the config, else the smallest and largest label of the training rows
 * @param packingSeconds wall time of repartitioning and packing the rows into cached blocks (with their statistics)
 */
public record TrainingResult(NetworkSpec spec, float[][] dense, List<Dataset<Row>> tables, long[] tableRows,
                             List<EpochStats> history, int bestEpoch, boolean stoppedEarly, long trainingRows,
                             long validationRows, int workers, boolean tablesSharded, double[] predictionRange,
                             double packingSeconds) {
}

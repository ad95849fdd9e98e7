package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;

import java.io.Serializable;
import java.util.List;

/**
 * The outcome of a distributed fit.
 *
 * @param spec the trained network's shape
 * @param parameters the kept parameters (the best validation epoch's, or the last epoch's without validation)
 * @param history per-epoch statistics
 * @param bestEpoch 1-based epoch whose parameters were kept
 * @param stoppedEarly whether early stopping ended training before maxEpochs
 * @param trainingRows rows used for training
 * @param validationRows rows used for validation
 * @param workers number of data-parallel workers used
 * @param packingSeconds wall time of repartitioning and packing the rows into cached blocks (with their statistics)
 */
public record TrainingResult(NetworkSpec spec, float[][] parameters, List<EpochStats> history, int bestEpoch,
                             boolean stoppedEarly, long trainingRows, long validationRows, int workers,
                             double packingSeconds)
        implements Serializable {
}

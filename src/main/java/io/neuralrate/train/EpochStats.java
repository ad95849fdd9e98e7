package io.neuralrate.train;

import java.io.Serializable;

/**
 * One epoch of training as reported in the model's summary.
 *
 * @param epoch 1-based epoch number
 * @param trainingLoss mean training objective over the epoch's batches (standardised label units)
 * @param validationRmse RMSE on the validation rows after the epoch, in label units (NaN without validation)
 * @param seconds wall time of the epoch, including validation
 * @param samplesPerSecond training samples processed per second of wall time
 */
public record EpochStats(int epoch, double trainingLoss, double validationRmse, double seconds,
                         double samplesPerSecond) implements Serializable {
}

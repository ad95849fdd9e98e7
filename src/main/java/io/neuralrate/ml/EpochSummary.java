package io.neuralrate.ml;

import java.io.Serializable;

/**
 * One epoch of a fit, as {@link MlpTrainingSummary#history()} reports it.
 *
 * @param epoch 1-based epoch number
 * @param trainingLoss mean training objective over the epoch's batches (standardised label units)
 * @param validationRmse RMSE on the validation rows after the epoch, in label units (NaN without validation)
 * @param seconds wall time of the epoch, including validation
 * @param samplesPerSecond training samples processed per second of wall time
 * @param rounds synchronisation rounds (Spark jobs) in the epoch
 * @param roundSeconds wall time of the rounds, as the driver saw it (excludes validation)
 * @param computeSeconds time the slowest worker of each round spent training, summed over the rounds;
 *     {@code roundSeconds - computeSeconds} is what distribution cost (scheduling, broadcast, aggregation)
 */
public record EpochSummary(int epoch, double trainingLoss, double validationRmse, double seconds,
                           double samplesPerSecond, int rounds, double roundSeconds, double computeSeconds)
        implements Serializable {
    /** @return mean seconds per round not spent training on the slowest worker */
    public double overheadPerRound() {
        return rounds == 0 ? 0 : (roundSeconds - computeSeconds) / rounds;
    }
}

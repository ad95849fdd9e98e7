package io.neuralrate.ml;

import io.neuralrate.train.TrainingResult;

import java.io.Serializable;
import java.util.List;

/** What happened during a fit: per epoch the training loss, validation RMSE, wall time and throughput. */
public final class MlpTrainingSummary implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<EpochSummary> history;
    private final int bestEpoch;
    private final boolean stoppedEarly;
    private final long trainingRows;
    private final long validationRows;
    private final int workers;
    private final double packingSeconds;
    private final boolean tablesSharded;

    MlpTrainingSummary(TrainingResult result) {
        this.history = result.history().stream()
                .map(e -> new EpochSummary(e.epoch(), e.trainingLoss(), e.validationRmse(), e.seconds(),
                        e.samplesPerSecond(), e.rounds(), e.roundSeconds(), e.computeSeconds()))
                .toList();
        this.bestEpoch = result.bestEpoch();
        this.stoppedEarly = result.stoppedEarly();
        this.trainingRows = result.trainingRows();
        this.validationRows = result.validationRows();
        this.workers = result.workers();
        this.packingSeconds = result.packingSeconds();
        this.tablesSharded = result.tablesSharded();
    }

    /**
     * Whether the embedding tables were held in shards on the executors during training (larger than
     * {@code tableBroadcastThreshold}) rather than broadcast whole each round.
     *
     * @return true if sharded
     */
    public boolean tablesSharded() {
        return tablesSharded;
    }

    /** Per-epoch statistics, in order. @return the history */
    public List<EpochSummary> history() {
        return history;
    }

    /** Number of epochs run. @return the count */
    public int totalEpochs() {
        return history.size();
    }

    /** Mean training objective per epoch (standardised label units). @return one value per epoch */
    public double[] trainingLoss() {
        return history.stream().mapToDouble(EpochSummary::trainingLoss).toArray();
    }

    /** Validation RMSE per epoch in label units (NaN without validation rows). @return one value per epoch */
    public double[] validationRmse() {
        return history.stream().mapToDouble(EpochSummary::validationRmse).toArray();
    }

    /** Wall seconds per epoch. @return one value per epoch */
    public double[] epochSeconds() {
        return history.stream().mapToDouble(EpochSummary::seconds).toArray();
    }

    /** Training samples per second per epoch. @return one value per epoch */
    public double[] samplesPerSecond() {
        return history.stream().mapToDouble(EpochSummary::samplesPerSecond).toArray();
    }

    /** The 1-based epoch whose parameters the model holds. @return the epoch */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Whether early stopping ended training. @return true if stopped early */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /** Rows trained on. @return the count */
    public long trainingRows() {
        return trainingRows;
    }

    /** Rows held out for validation. @return the count */
    public long validationRows() {
        return validationRows;
    }

    /** Data-parallel workers used. @return the count */
    public int workers() {
        return workers;
    }

    /** Wall seconds spent repartitioning the rows and packing them into cached blocks, before epoch 1. @return seconds */
    public double packingSeconds() {
        return packingSeconds;
    }
}

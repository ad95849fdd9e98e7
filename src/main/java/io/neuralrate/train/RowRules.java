package io.neuralrate.train;

import java.io.Serializable;

/**
 * What the fit's tasks learn from the training rows before the first round, for reading and scoring
 * rows as the fitted model will: which indices were trained (the others score as unknown), how the
 * features are standardised while training, and the range predictions are clipped to (so the
 * validation RMSE that early stopping follows is the model's own).
 *
 * @param trained the indices the training rows hold
 * @param scaling the features' standardisation while training, or null
 * @param minPrediction the lower clipping bound (may be -infinity)
 * @param maxPrediction the upper clipping bound (may be +infinity)
 */
record RowRules(TrainedIndices trained, FeatureScaling scaling, double minPrediction, double maxPrediction)
        implements Serializable {
    /** A prediction clipped to the range. */
    double clip(double prediction) {
        return Math.min(maxPrediction, Math.max(minPrediction, prediction));
    }
}

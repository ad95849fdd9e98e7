package io.neuralrate.ml;

import io.neuralrate.nn.ParamEnum;

/**
 * What scoring does with a row whose embedding index the model never trained on (unseen, null or
 * out of range); the values of the {@code coldStartStrategy} Param.
 */
public enum ColdStartStrategy implements ParamEnum {
    /** Score it with the learned "unknown" embedding (the default): every row gets a prediction. */
    UNKNOWN,
    /** Predict NaN, as Spark's ALS does by default. */
    NAN,
    /** Leave the row out of the output, as ALS's "drop" does (useful before an evaluator). */
    DROP
}

package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;

/** The training objective, computed on the standardised label. */
public enum LossKind implements ParamEnum {
    /** Squared error, the seed's choice. */
    MSE,
    /** Huber loss with threshold 1 (one label standard deviation): quadratic near 0, linear beyond. */
    HUBER,
    /** Absolute error. */
    L1;

    /**
     * Per-sample loss of {@code prediction} against {@code label} (both of shape (batch)).
     *
     * @param prediction predicted standardised labels
     * @param label standardised labels
     * @return per-sample losses, shape (batch)
     */
    NDArray perSample(NDArray prediction, NDArray label) {
        NDArray diff = prediction.sub(label);
        switch (this) {
            case MSE:
                return diff.square();
            case L1:
                return diff.abs();
            case HUBER: {
                NDArray abs = diff.abs();
                NDArray quadratic = abs.clip(0f, 1f);
                return quadratic.mul(abs.sub(quadratic.mul(0.5f)));
            }
            default:
                throw new AssertionError(this);
        }
    }
}

package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The update rule. Each rule's state is a fixed number of tensors per parameter ("slots"), so the
 * distributed trainer can move and average it like the parameters themselves. The updates are
 * PyTorch's fused kernels, one native call per tensor and step.
 */
public enum OptimizerKind implements ParamEnum {
    /** Adam with L2 weight decay added to the gradient. State: first and second moments. */
    ADAM(2),
    /** Adam with decoupled weight decay (AdamW). State: first and second moments. */
    ADAMW(2),
    /** Stochastic gradient descent with momentum 0.9. State: the momentum buffer. */
    SGD(1);

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final float MOMENTUM = 0.9f;
    private static final float NO_CLIPPING = -1f;

    private final int slots;

    OptimizerKind(int slots) {
        this.slots = slots;
    }

    /** Number of state tensors per parameter tensor. */
    public int slots() {
        return slots;
    }

    /**
     * Applies one update in place.
     *
     * @param weight the parameter
     * @param grad its gradient
     * @param state this parameter's state tensors ({@link #slots()} of them), updated in place
     * @param step the 1-based global step number (for Adam's bias correction)
     * @param learningRate learning rate
     * @param weightDecay weight decay
     */
    void update(NDArray weight, NDArray grad, NDArray[] state, long step, float learningRate, float weightDecay) {
        PtNDArray w = (PtNDArray) weight;
        PtNDArray g = (PtNDArray) grad;
        if (this == SGD) {
            JniUtils.sgdUpdate(w, g, (PtNDArray) state[0], learningRate, weightDecay, 1f, NO_CLIPPING, MOMENTUM);
            return;
        }
        double coef1 = 1.0 - Math.pow(BETA1, step);
        double coef2 = 1.0 - Math.pow(BETA2, step);
        float corrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
        JniUtils.adamUpdate(
                w, g, (PtNDArray) state[0], (PtNDArray) state[1],
                learningRate, corrected, weightDecay, 1f, NO_CLIPPING, BETA1, BETA2, EPSILON, this == ADAMW);
    }
}

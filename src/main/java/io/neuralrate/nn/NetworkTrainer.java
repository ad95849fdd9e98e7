package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Takes gradient steps on an {@link MlpNetwork}: forward, loss, backward, optimizer update.
 *
 * <p>It drives PyTorch's autograd directly rather than through DJL's {@code GradientCollector},
 * because that collector allows only one collecting thread per JVM, while Spark runs several
 * training tasks at once in one executor. PyTorch's gradient mode is per thread, so each task
 * switches it on only for its own steps.
 */
public final class NetworkTrainer implements AutoCloseable {
    private final MlpNetwork network;
    private final LossKind loss;
    private final OptimizerKind optimizer;
    private final float learningRate;
    private final float weightDecay;
    private final NDArray[][] state;
    private long step;

    /**
     * Creates a trainer over {@code network} that owns it from now on.
     *
     * @param network the network, created trainable
     * @param loss objective
     * @param optimizer update rule
     * @param optimizerState state per slot and parameter ({@code [slot][param][]}), or null to start fresh
     * @param step number of steps already taken (Adam's bias correction continues from there)
     * @param learningRate learning rate
     * @param weightDecay weight decay
     */
    public NetworkTrainer(
            MlpNetwork network,
            LossKind loss,
            OptimizerKind optimizer,
            float[][][] optimizerState,
            long step,
            float learningRate,
            float weightDecay) {
        this.network = network;
        this.loss = loss;
        this.optimizer = optimizer;
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.step = step;
        NDArray[] params = network.parameters();
        NDManager manager = network.manager();
        this.state = new NDArray[optimizer.slots()][params.length];
        for (int s = 0; s < optimizer.slots(); s++) {
            for (int i = 0; i < params.length; i++) {
                Shape shape = params[i].getShape();
                state[s][i] = optimizerState == null
                        ? manager.zeros(shape)
                        : manager.create(optimizerState[s][i], shape);
            }
        }
    }

    /** The network being trained. */
    public MlpNetwork network() {
        return network;
    }

    /** Steps taken so far, including those before this trainer was created. */
    public long stepCount() {
        return step;
    }

    /**
     * One gradient step on a batch. All tensors of the step are created under the inputs'
     * manager, which the caller closes.
     *
     * @param features dense features {@code (batch, numFeatures)}, or null
     * @param indices embedding indices, one int64 vector per embedding column
     * @param labels standardised labels {@code (batch)}
     * @param weights per-sample weights {@code (batch)}, or null for equal weights
     * @param dropoutMask dropout mask {@code (batch, hiddenWidthSum)}, or null
     * @return the batch's mean loss (weighted mean when weights are given)
     */
    public float step(NDArray features, NDArray[] indices, NDArray labels, NDArray weights, NDArray dropoutMask) {
        boolean wasRecording = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        float value;
        try {
            NDArray prediction = network.forwardStandardized(features, indices, dropoutMask);
            NDArray perSample = loss.perSample(prediction, labels);
            NDArray objective = weights == null
                    ? perSample.mean()
                    : perSample.mul(weights).sum().div(weights.sum());
            NDArray seed = objective.onesLike();
            JniUtils.backward((PtNDArray) objective, (PtNDArray) seed, false, false);
            value = objective.getFloat();
        } finally {
            JniUtils.setGradMode(wasRecording);
        }
        step++;
        NDArray[] params = network.parameters();
        NDArray[] slots = new NDArray[state.length];
        for (int i = 0; i < params.length; i++) {
            for (int s = 0; s < state.length; s++) {
                slots[s] = state[s][i];
            }
            try (NDArray grad = params[i].getGradient()) {
                optimizer.update(params[i], grad, slots, step, learningRate, weightDecay);
            }
            JniUtils.zeroGrad((PtNDArray) params[i]);
        }
        return value;
    }

    /** Copies the optimizer state back to Java arrays, {@code [slot][param][]}. */
    public float[][][] optimizerState() {
        float[][][] values = new float[state.length][][];
        for (int s = 0; s < state.length; s++) {
            values[s] = new float[state[s].length][];
            for (int i = 0; i < state[s].length; i++) {
                values[s][i] = state[s][i].toFloatArray();
            }
        }
        return values;
    }

    /** Closes the network and the optimizer state. */
    @Override
    public void close() {
        network.close();
    }
}

package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
     * <p>Embedding tables are updated lazily, as in sparse/lazy Adam: the step gathers the rows
     * the batch looks up (each once), makes them the gradient leaves, applies the update rule to
     * those rows and their optimizer state only, and writes them back. A dense update would read
     * and write every row of every table (parameters, gradient and both Adam moments) at every
     * step, so its cost would grow with the number of users and items instead of the batch.
     * Rows a batch does not touch keep their values and moments; weight decay, which is part of
     * the gradient, acts on touched rows only.
     *
     * @param features dense features {@code (batch, numFeatures)}, or null
     * @param indices embedding indices, one int64 vector per embedding column
     * @param labels standardised labels {@code (batch)}
     * @param weights per-sample weights {@code (batch)}, or null for equal weights
     * @param dropoutMask dropout mask {@code (batch, hiddenWidthSum)}, or null
     * @return the batch's mean loss (weighted mean when weights are given; 0 for a batch whose
     *     weights sum to 0)
     */
    public float step(NDArray features, NDArray[] indices, NDArray labels, NDArray weights, NDArray dropoutMask) {
        // Gradient mode is per thread and on by default in PyTorch: only the forward and backward
        // pass may record, or the gathers and write-backs below would chain the steps' graphs.
        boolean wasRecording = JniUtils.isGradMode();
        try {
            JniUtils.setGradMode(false);
            NDManager scope = labels.getManager();
            NDIndex[] touchedRows = new NDIndex[indices.length];
            NDArray[] positions = new NDArray[indices.length];
            NDArray[] touched = gatherTouchedRows(scope, indices, touchedRows, positions);

            JniUtils.setGradMode(true);
            NDArray prediction = network.forward(features, touched, positions, dropoutMask);
            NDArray perSample = loss.perSample(prediction, labels);
            // A batch whose weights sum to 0 carries no information: its objective is 0 (the clamped
            // denominator keeps 0/0 from turning every parameter into NaN).
            NDArray objective = weights == null
                    ? perSample.mean()
                    : perSample.mul(weights).sum().div(weights.sum().maximum(Float.MIN_NORMAL));
            JniUtils.backward((PtNDArray) objective, (PtNDArray) objective.onesLike(), false, false);
            JniUtils.setGradMode(false);

            step++;
            update(scope, touched, touchedRows);
            return objective.getFloat();
        } finally {
            JniUtils.setGradMode(wasRecording);
        }
    }

    /**
     * For each embedding column, the distinct rows the batch looks up (as an index into the tables)
     * and each sample's position among them; returns those rows of every table as gradient leaves.
     */
    private NDArray[] gatherTouchedRows(NDManager scope, NDArray[] indices, NDIndex[] touchedRows,
                                        NDArray[] positions) {
        NDArray[] params = network.parameters();
        NDArray[] touched = new NDArray[network.spec().embeddingTableCount()];
        for (int e = 0; e < indices.length; e++) {
            NDList unique = indices[e].unique(null, true, true, false);
            touchedRows[e] = new NDIndex("{}", unique.get(0));
            positions[e] = unique.get(1);
            for (int t = 2 * e; t < 2 * e + 2; t++) {
                touched[t] = params[t].get(scope, touchedRows[e]);
                touched[t].setRequiresGradient(true);
            }
        }
        return touched;
    }

    /** The update rule on the touched table rows (written back with their state), then on the dense tensors. */
    private void update(NDManager scope, NDArray[] touched, NDIndex[] touchedRows) {
        NDArray[] params = network.parameters();
        NDArray[] slots = new NDArray[state.length];
        for (int t = 0; t < touched.length; t++) {
            NDIndex rows = touchedRows[t / 2];
            for (int s = 0; s < state.length; s++) {
                slots[s] = state[s][t].get(scope, rows);
            }
            try (NDArray grad = touched[t].getGradient()) {
                optimizer.update(touched[t], grad, slots, step, learningRate, weightDecay);
            }
            params[t].set(rows, touched[t]);
            for (int s = 0; s < state.length; s++) {
                state[s][t].set(rows, slots[s]);
            }
        }
        for (int i = touched.length; i < params.length; i++) {
            for (int s = 0; s < state.length; s++) {
                slots[s] = state[s][i];
            }
            try (NDArray grad = params[i].getGradient()) {
                optimizer.update(params[i], grad, slots, step, learningRate, weightDecay);
            }
            JniUtils.zeroGrad((PtNDArray) params[i]);
        }
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

package io.neuralrate.train;

import io.neuralrate.nn.Activation;
import io.neuralrate.nn.LossKind;
import io.neuralrate.nn.OptimizerKind;

/**
 * The one table of training defaults: {@link TrainingConfig.Builder} starts from these, and the
 * Spark ML Params declare them as their defaults, so the two cannot disagree.
 */
public final class TrainingDefaults {
    private TrainingDefaults() {}

    /** Hidden layer widths. @return a fresh copy of {64, 32} */
    public static int[] hiddenLayers() {
        return new int[] {64, 32};
    }

    /** Hidden activation. */
    public static final Activation ACTIVATION = Activation.RELU;
    /** Dropout rate on hidden activations. */
    public static final double DROPOUT = 0.0;
    /** Width of each embedding. */
    public static final int EMBEDDING_DIM = 64;
    /** Training objective. */
    public static final LossKind LOSS = LossKind.MSE;
    /** Update rule. */
    public static final OptimizerKind OPTIMIZER = OptimizerKind.ADAM;
    /** Learning rate. */
    public static final double LEARNING_RATE = 1e-3;
    /** Whether the dense features are standardised for training (folded back into the model). */
    public static final boolean STANDARDIZATION = true;
    /** Weight decay. */
    public static final double WEIGHT_DECAY = 1e-3;
    /** Rows per optimizer step, summed over the workers. */
    public static final int BATCH_SIZE = 256;
    /** Maximum number of epochs. */
    public static final int MAX_EPOCHS = 50;
    /**
     * Random seed: the value the estimator has always used (the hash code of its class name), so models
     * fitted with the default seed stay what they were.
     */
    public static final long SEED = -1885127711L;
    /** Share of rows held out for validation. */
    public static final double VALIDATION_FRACTION = 0.1;
    /** Epochs without validation improvement before stopping (0 = never). */
    public static final int EARLY_STOPPING_PATIENCE = 5;
    /** Data-parallel workers (0 = one per task slot). */
    public static final int NUM_WORKERS = 0;
    /** Mini-batches each worker runs between parameter averages. */
    public static final int SYNC_INTERVAL = 64;
    /**
     * Bytes of embedding tables, values and optimizer state, up to which a round broadcasts them whole
     * (above it, they are sharded on the executors).
     */
    public static final long TABLE_BROADCAST_THRESHOLD = 64L << 20;
    /** Share of training indices replaced by the unknown index. */
    public static final double UNKNOWN_INDEX_RATE = 0.01;
    /** Epochs between checkpoints. */
    public static final int CHECKPOINT_INTERVAL = 1;
}

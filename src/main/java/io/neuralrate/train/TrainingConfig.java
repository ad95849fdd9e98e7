package io.neuralrate.train;

import io.neuralrate.nn.Activation;
import io.neuralrate.nn.LossKind;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.OptimizerKind;

import java.io.Serializable;

/**
 * Everything the distributed trainer needs to know about a fit, independent of Spark ML's Params
 * (the Estimator translates its Params into one of these). Immutable; build with {@link #builder()}.
 */
public final class TrainingConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    final int[] hiddenLayers;
    final Activation activation;
    final float dropout;
    final int embeddingDim;
    final LossKind loss;
    final OptimizerKind optimizer;
    final float learningRate;
    final float weightDecay;
    final int batchSize;
    final int maxEpochs;
    final long seed;
    final double validationFraction;
    final int earlyStoppingPatience;
    final int numWorkers;
    final int syncInterval;
    final long tableBroadcastThreshold;
    /** What a lone worker's round may gather into native tensors (counted at 4 bytes a value). */
    static final long SINGLE_WORKER_ROUND_BYTES = 64L << 20;
    final double unknownIndexRate;
    final boolean standardization;
    /** Clipping bounds of the predictions that validation scores; NaN: the training labels' smallest / largest. */
    final double minPrediction;
    final double maxPrediction;
    final String checkpointDir;
    final int checkpointInterval;

    private TrainingConfig(Builder b) {
        hiddenLayers = b.hiddenLayers.clone();
        activation = b.activation;
        dropout = b.dropout;
        embeddingDim = b.embeddingDim;
        loss = b.loss;
        optimizer = b.optimizer;
        learningRate = b.learningRate;
        weightDecay = b.weightDecay;
        batchSize = b.batchSize;
        maxEpochs = b.maxEpochs;
        seed = b.seed;
        validationFraction = b.validationFraction;
        earlyStoppingPatience = b.earlyStoppingPatience;
        numWorkers = b.numWorkers;
        syncInterval = b.syncInterval;
        tableBroadcastThreshold = b.tableBroadcastThreshold;
        unknownIndexRate = b.unknownIndexRate;
        standardization = b.standardization;
        minPrediction = b.minPrediction;
        maxPrediction = b.maxPrediction;
        checkpointDir = b.checkpointDir;
        checkpointInterval = b.checkpointInterval;
    }

    /** A builder starting from {@link TrainingDefaults}. @return the builder */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of training workers requested (0 = one per available task slot). */
    public int numWorkers() {
        return numWorkers;
    }

    /**
     * Each worker's share of the global mini-batch: {@code batchSize} is the number of rows per
     * optimizer step summed over the workers, so the number of steps per epoch, and so the
     * accuracy reached, does not depend on how many workers share the work.
     *
     * @param workers number of workers
     * @return rows per worker and step (at least 1)
     */
    int workerBatchSize(int workers) {
        return Math.max(1, (batchSize + workers - 1) / workers);
    }

    /**
     * Mini-batches a worker runs per round. With several workers that is {@code syncInterval}; with
     * one there is nothing to average, and each round is a Spark job with a fixed cost of tens of
     * milliseconds, so a round runs as many batches as fit in {@value #SINGLE_WORKER_ROUND_BYTES}
     * bytes of gathered rows (at least {@code syncInterval}).
     *
     * @param workers number of workers
     * @param spec the network, which sets the bytes gathered per row
     * @return batches per round
     */
    int roundBatches(int workers, NetworkSpec spec) {
        if (workers > 1) {
            return syncInterval;
        }
        // features, label, weight, one index per embedding column, the dropout mask
        long bytesPerRow = Float.BYTES * (spec.numFeatures() + 2L + spec.numEmbeddings()
                + (spec.dropout() > 0 ? spec.hiddenWidthSum() : 0));
        long batches = SINGLE_WORKER_ROUND_BYTES / bytesPerRow / workerBatchSize(1);
        return (int) Math.max(syncInterval, Math.min(batches, Integer.MAX_VALUE));
    }

    /** A description of the settings that determine the trained model (for checkpoint matching). */
    String fingerprint() {
        return java.util.Arrays.toString(hiddenLayers) + activation + dropout + embeddingDim + loss + optimizer
                + learningRate + weightDecay + batchSize + maxEpochs + seed + validationFraction
                + earlyStoppingPatience + syncInterval + unknownIndexRate + "|standardization " + standardization
                + "|prediction range " + minPrediction + "/" + maxPrediction;
    }

    /** Builds a {@link TrainingConfig}. */
    public static final class Builder {
        private int[] hiddenLayers = TrainingDefaults.hiddenLayers();
        private Activation activation = TrainingDefaults.ACTIVATION;
        private float dropout = (float) TrainingDefaults.DROPOUT;
        private int embeddingDim = TrainingDefaults.EMBEDDING_DIM;
        private LossKind loss = TrainingDefaults.LOSS;
        private OptimizerKind optimizer = TrainingDefaults.OPTIMIZER;
        private float learningRate = (float) TrainingDefaults.LEARNING_RATE;
        private float weightDecay = (float) TrainingDefaults.WEIGHT_DECAY;
        private int batchSize = TrainingDefaults.BATCH_SIZE;
        private int maxEpochs = TrainingDefaults.MAX_EPOCHS;
        private long seed = TrainingDefaults.SEED;
        private double validationFraction = TrainingDefaults.VALIDATION_FRACTION;
        private int earlyStoppingPatience = TrainingDefaults.EARLY_STOPPING_PATIENCE;
        private int numWorkers = TrainingDefaults.NUM_WORKERS;
        private int syncInterval = TrainingDefaults.SYNC_INTERVAL;
        private long tableBroadcastThreshold = TrainingDefaults.TABLE_BROADCAST_THRESHOLD;
        private double unknownIndexRate = TrainingDefaults.UNKNOWN_INDEX_RATE;
        private boolean standardization = TrainingDefaults.STANDARDIZATION;
        private double minPrediction = Double.NaN;
        private double maxPrediction = Double.NaN;
        private String checkpointDir;
        private int checkpointInterval = TrainingDefaults.CHECKPOINT_INTERVAL;

        private Builder() {}

        /** Hidden layer widths. @param v widths @return this */
        public Builder hiddenLayers(int[] v) {
            hiddenLayers = v.clone();
            return this;
        }

        /** Hidden activation. @param v activation @return this */
        public Builder activation(Activation v) {
            activation = v;
            return this;
        }

        /** Dropout rate. @param v rate in [0,1) @return this */
        public Builder dropout(float v) {
            dropout = v;
            return this;
        }

        /** Embedding width. @param v width @return this */
        public Builder embeddingDim(int v) {
            embeddingDim = v;
            return this;
        }

        /** Objective. @param v loss @return this */
        public Builder loss(LossKind v) {
            loss = v;
            return this;
        }

        /** Update rule. @param v optimizer @return this */
        public Builder optimizer(OptimizerKind v) {
            optimizer = v;
            return this;
        }

        /** Learning rate. @param v rate @return this */
        public Builder learningRate(float v) {
            learningRate = v;
            return this;
        }

        /** Weight decay. @param v decay @return this */
        public Builder weightDecay(float v) {
            weightDecay = v;
            return this;
        }

        /** Global mini-batch size (rows per step, summed over workers). @param v size @return this */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Maximum number of epochs. @param v epochs @return this */
        public Builder maxEpochs(int v) {
            maxEpochs = v;
            return this;
        }

        /** Random seed. @param v seed @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Share of rows held out for validation (ignored with an indicator column). @param v fraction @return this */
        public Builder validationFraction(double v) {
            validationFraction = v;
            return this;
        }

        /** Epochs without validation improvement before stopping (0 = never stop early). @param v epochs @return this */
        public Builder earlyStoppingPatience(int v) {
            earlyStoppingPatience = v;
            return this;
        }

        /** Number of data-parallel workers (0 = one per task slot). @param v workers @return this */
        public Builder numWorkers(int v) {
            numWorkers = v;
            return this;
        }

        /** Mini-batches each worker runs between parameter averages. @param v batches @return this */
        public Builder syncInterval(int v) {
            syncInterval = v;
            return this;
        }

        /**
         * Bytes of embedding tables (values and optimizer state) up to which they are broadcast whole each
         * round; larger tables are sharded on the executors (-1: always shard). The model is the same.
         *
         * @param v bytes, or -1
         * @return this
         */
        public Builder tableBroadcastThreshold(long v) {
            tableBroadcastThreshold = v;
            return this;
        }

        /**
         * The range the model clips its predictions to, which validation scores within.
         *
         * @param min lower bound (-infinity: none), or NaN for the training labels' smallest
         * @param max upper bound (+infinity: none), or NaN for the training labels' largest
         * @return this
         */
        public Builder predictionRange(double min, double max) {
            minPrediction = min;
            maxPrediction = max;
            return this;
        }

        /** Whether to standardise the dense features for training. @param v on or off @return this */
        public Builder standardization(boolean v) {
            standardization = v;
            return this;
        }

        /** Share of training indices replaced by "unknown" to train the cold-start embedding. @param v rate @return this */
        public Builder unknownIndexRate(double v) {
            unknownIndexRate = v;
            return this;
        }

        /** Folder for training checkpoints (null = none). @param v folder @return this */
        public Builder checkpointDir(String v) {
            checkpointDir = v;
            return this;
        }

        /** Epochs between checkpoints. @param v epochs @return this */
        public Builder checkpointInterval(int v) {
            checkpointInterval = v;
            return this;
        }

        /** Builds the config. @return the config */
        public TrainingConfig build() {
            return new TrainingConfig(this);
        }
    }
}

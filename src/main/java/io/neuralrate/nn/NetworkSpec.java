package io.neuralrate.nn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The shape of a rating network: a dense feature vector and optional integer index columns
 * (each learned as an embedding table plus a per-index bias) feeding a multilayer perceptron
 * with one output.
 *
 * <p>Every embedding table has {@code cardinality + 1} rows while training: rows {@code 0 ..
 * cardinality-1} belong to the indices below the largest one seen in training, the last row is the
 * learned "unknown" embedding used for unseen or out-of-range indices (and, in a fitted model, for
 * indices below the cardinality that no training row held). The label is learned in standardised units; {@link
 * #labelMean()} and {@link #labelScale()} map the network's output back to the rating scale.
 *
 * <p>The parameter layout ({@link #parameterShapes()}) is the contract between the network, the
 * distributed trainer (which moves parameters as {@code float[]} per tensor) and the model file.
 */
public final class NetworkSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int numFeatures;
    private final int[] hiddenLayers;
    private final Activation activation;
    private final float dropout;
    private final int[] embeddingCardinalities;
    private final int embeddingDim;
    private final float labelMean;
    private final float labelScale;

    /**
     * Creates a spec.
     *
     * @param numFeatures length of the dense feature vector (may be 0 when embeddings are used)
     * @param hiddenLayers widths of the hidden layers, at least one
     * @param activation non-linearity after each hidden layer
     * @param dropout dropout rate on hidden activations during training, in [0, 1)
     * @param embeddingCardinalities number of known indices per embedding column (may be empty)
     * @param embeddingDim width of each embedding
     * @param labelMean mean of the training label
     * @param labelScale standard deviation of the training label (positive)
     */
    public NetworkSpec(
            int numFeatures,
            int[] hiddenLayers,
            Activation activation,
            float dropout,
            int[] embeddingCardinalities,
            int embeddingDim,
            float labelMean,
            float labelScale) {
        if (numFeatures < 0) {
            throw new IllegalArgumentException("numFeatures must be >= 0, got " + numFeatures);
        }
        if (hiddenLayers.length == 0 || Arrays.stream(hiddenLayers).anyMatch(h -> h <= 0)) {
            throw new IllegalArgumentException(
                    "hiddenLayers must be non-empty and positive, got " + Arrays.toString(hiddenLayers));
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (Arrays.stream(embeddingCardinalities).anyMatch(c -> c < 0)) {
            throw new IllegalArgumentException(
                    "embedding cardinalities must be >= 0, got " + Arrays.toString(embeddingCardinalities));
        }
        if (embeddingCardinalities.length > 0 && embeddingDim <= 0) {
            throw new IllegalArgumentException("embeddingDim must be > 0, got " + embeddingDim);
        }
        if (numFeatures == 0 && embeddingCardinalities.length == 0) {
            throw new IllegalArgumentException("the network has no inputs: no features and no embedding columns");
        }
        if (!(labelScale > 0) || !Float.isFinite(labelScale) || !Float.isFinite(labelMean)) {
            throw new IllegalArgumentException(
                    "label mean/scale must be finite with scale > 0, got " + labelMean + "/" + labelScale);
        }
        this.numFeatures = numFeatures;
        this.hiddenLayers = hiddenLayers.clone();
        this.activation = activation;
        this.dropout = dropout;
        this.embeddingCardinalities = embeddingCardinalities.clone();
        this.embeddingDim = embeddingCardinalities.length == 0 ? 0 : embeddingDim;
        this.labelMean = labelMean;
        this.labelScale = labelScale;
    }

    /** Length of the dense feature vector. */
    public int numFeatures() {
        return numFeatures;
    }

    /** Widths of the hidden layers. */
    public int[] hiddenLayers() {
        return hiddenLayers.clone();
    }

    /** Non-linearity after each hidden layer. */
    public Activation activation() {
        return activation;
    }

    /** Dropout rate on hidden activations during training. */
    public float dropout() {
        return dropout;
    }

    /** Number of known indices per embedding column. */
    public int[] embeddingCardinalities() {
        return embeddingCardinalities.clone();
    }

    /** Number of embedding columns. */
    public int numEmbeddings() {
        return embeddingCardinalities.length;
    }

    /**
     * The embedding-table row for an index of column {@code column}: the index itself when it
     * was seen in training, else the "unknown" row.
     *
     * @param column embedding column number
     * @param index the index (negative for missing)
     * @return a row in {@code [0, cardinality]}
     */
    public int tableRow(int column, int index) {
        int card = embeddingCardinalities[column];
        return index >= 0 && index < card ? index : card;
    }

    /** Whether {@code index} of column {@code column} was seen in training. */
    public boolean isKnown(int column, int index) {
        return index >= 0 && index < embeddingCardinalities[column];
    }

    /**
     * Number of embedding-table tensors, which lead the parameter layout: per embedding column its
     * vectors (tensor {@code 2e}) and its biases (tensor {@code 2e + 1}).
     */
    public int embeddingTableCount() {
        return 2 * embeddingCardinalities.length;
    }

    /** Width of each embedding (0 without embedding columns). */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** Mean of the training label, added back to the network output. */
    public float labelMean() {
        return labelMean;
    }

    /** Standard deviation of the training label, multiplied into the network output. */
    public float labelScale() {
        return labelScale;
    }

    /** Width of the perceptron's input: the features plus one embedding per index column. */
    public int mlpInputWidth() {
        return numFeatures + embeddingCardinalities.length * embeddingDim;
    }

    /** Number of hidden activations per sample, summed over layers (the dropout masks' size). */
    public int hiddenWidthSum() {
        return Arrays.stream(hiddenLayers).sum();
    }

    /**
     * Shapes of all parameter tensors in their fixed order: per embedding column its table
     * {@code (cardinality+1, dim)} and bias {@code (cardinality+1, 1)}; per hidden layer weight
     * {@code (out, in)} and bias {@code (out)}; then the output layer.
     */
    public List<long[]> parameterShapes() {
        List<long[]> shapes = new ArrayList<>();
        for (int card : embeddingCardinalities) {
            shapes.add(new long[] {card + 1L, embeddingDim});
            shapes.add(new long[] {card + 1L, 1});
        }
        int in = mlpInputWidth();
        for (int h : hiddenLayers) {
            shapes.add(new long[] {h, in});
            shapes.add(new long[] {h});
            in = h;
        }
        shapes.add(new long[] {1, in});
        shapes.add(new long[] {1});
        return shapes;
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (long[] s : parameterShapes()) {
            n += elements(s);
        }
        return n;
    }

    /**
     * Initial parameters, drawn deterministically from {@code seed} in plain Java (the driver
     * needs no native engine): linear layers uniform in ±1/sqrt(fan-in) as PyTorch does,
     * embeddings normal with standard deviation 0.05, embedding biases zero. Each embedding row is
     * drawn from its own stream ({@link #initialEmbeddingRow}), so the executors that hold a table
     * in shards build their rows without the rest of the table.
     *
     * @param seed random seed
     * @return one array per parameter tensor, in {@link #parameterShapes()} order
     */
    public float[][] initialParameters(long seed) {
        float[][] dense = initialDenseParameters(seed);
        int tables = embeddingTableCount();
        float[][] params = new float[tables + dense.length][];
        for (int e = 0; e < embeddingCardinalities.length; e++) {
            int rows = embeddingCardinalities[e] + 1;
            float[] table = new float[rows * embeddingDim];
            for (int row = 0; row < rows; row++) {
                initialEmbeddingRow(seed, e, row, table, row * embeddingDim);
            }
            params[2 * e] = table;
            params[2 * e + 1] = new float[rows];
        }
        System.arraycopy(dense, 0, params, tables, dense.length);
        return params;
    }

    /**
     * The initial parameters after the embedding tables (the perceptron), in layout order.
     *
     * @param seed random seed
     * @return one array per dense tensor
     */
    public float[][] initialDenseParameters(long seed) {
        Random random = new Random(seed);
        List<long[]> shapes = parameterShapes();
        int tables = embeddingTableCount();
        float[][] dense = new float[shapes.size() - tables][];
        for (int p = tables; p < shapes.size(); p += 2) {
            double bound = 1.0 / Math.sqrt(shapes.get(p)[1]);
            for (int t = 0; t < 2; t++) {
                float[] values = new float[(int) elements(shapes.get(p + t))];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
                dense[p + t - tables] = values;
            }
        }
        return dense;
    }

    /**
     * Writes the initial vector of one embedding row (normal, standard deviation 0.05), a function of
     * (seed, column, row) alone. Its bias starts at zero.
     *
     * @param seed random seed
     * @param column embedding column
     * @param row table row
     * @param out where to write {@link #embeddingDim()} values
     * @param offset the first position written
     */
    public void initialEmbeddingRow(long seed, int column, int row, float[] out, int offset) {
        long key = SplitMix64.finalise(SplitMix64.finalise(seed ^ 0x5bd1e995L * (column + 1)) + row);
        SplittableRandom random = new SplittableRandom(key);
        for (int j = 0; j < embeddingDim; j++) {
            out[offset + j] = (float) (random.nextGaussian() * 0.05);
        }
    }

    /**
     * Checks that {@code params} match this spec's layout.
     *
     * @param params parameter arrays
     * @throws IllegalArgumentException naming the first mismatching tensor
     */
    public void checkParameters(float[][] params) {
        List<long[]> shapes = parameterShapes();
        if (params.length != shapes.size()) {
            throw new IllegalArgumentException(
                    "expected " + shapes.size() + " parameter tensors, got " + params.length);
        }
        for (int i = 0; i < params.length; i++) {
            if (params[i] == null || params[i].length != elements(shapes.get(i))) {
                throw new IllegalArgumentException(
                        "parameter tensor " + i + " should have shape " + Arrays.toString(shapes.get(i)));
            }
        }
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NetworkSpec)) {
            return false;
        }
        NetworkSpec s = (NetworkSpec) o;
        return numFeatures == s.numFeatures
                && Arrays.equals(hiddenLayers, s.hiddenLayers)
                && activation == s.activation
                && Float.compare(dropout, s.dropout) == 0
                && Arrays.equals(embeddingCardinalities, s.embeddingCardinalities)
                && embeddingDim == s.embeddingDim
                && Float.compare(labelMean, s.labelMean) == 0
                && Float.compare(labelScale, s.labelScale) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hiddenLayers) * 31 + Arrays.hashCode(embeddingCardinalities) + numFeatures;
    }

    @Override
    public String toString() {
        return "NetworkSpec{features=" + numFeatures
                + ", hidden=" + Arrays.toString(hiddenLayers)
                + ", activation=" + activation.paramValue()
                + ", dropout=" + dropout
                + ", embeddings=" + Arrays.toString(embeddingCardinalities)
                + ", embeddingDim=" + embeddingDim + "}";
    }
}

package io.neuralrate.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's training or validation rows, packed into primitive arrays: row-major
 * features, labels, optional weights and embedding indices. Epochs read these arrays only; no
 * {@code Row} objects are touched after packing.
 */
public final class DataBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int rows;
    final int numFeatures;
    final float[] features;
    final float[] labels;
    final float[] weights;
    final int[][] indices;

    DataBlock(int rows, int numFeatures, float[] features, float[] labels, float[] weights, int[][] indices) {
        this.rows = rows;
        this.numFeatures = numFeatures;
        this.features = features;
        this.labels = labels;
        this.weights = weights;
        this.indices = indices;
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Growable builder, trimmed to size by {@link #build()}. */
    static final class Builder {
        private final int numFeatures;
        private final boolean weighted;
        private int rows;
        private float[] features;
        private float[] labels = new float[1024];
        private float[] weights;
        private final int[][] indices;

        Builder(int numFeatures, boolean weighted, int numEmbeddings) {
            this.numFeatures = numFeatures;
            this.weighted = weighted;
            this.features = new float[1024 * numFeatures];
            this.weights = weighted ? new float[1024] : null;
            this.indices = new int[numEmbeddings][1024];
        }

        /** Appends a row; returns the offset at which its features must be written. */
        int add(float label, float weight, int[] rowIndices) {
            if (rows == labels.length) {
                int capacity = rows * 2;
                labels = Arrays.copyOf(labels, capacity);
                features = Arrays.copyOf(features, capacity * numFeatures);
                if (weighted) {
                    weights = Arrays.copyOf(weights, capacity);
                }
                for (int e = 0; e < indices.length; e++) {
                    indices[e] = Arrays.copyOf(indices[e], capacity);
                }
            }
            labels[rows] = label;
            if (weighted) {
                weights[rows] = weight;
            }
            for (int e = 0; e < indices.length; e++) {
                indices[e][rows] = rowIndices[e];
            }
            return rows++ * numFeatures;
        }

        float[] featureArray() {
            return features;
        }

        DataBlock build() {
            int[][] trimmed = new int[indices.length][];
            for (int e = 0; e < indices.length; e++) {
                trimmed[e] = Arrays.copyOf(indices[e], rows);
            }
            return new DataBlock(rows, numFeatures, Arrays.copyOf(features, rows * numFeatures),
                    Arrays.copyOf(labels, rows), weighted ? Arrays.copyOf(weights, rows) : null, trimmed);
        }
    }
}

package io.neuralrate.train;

import org.apache.spark.api.java.JavaRDD;

import java.io.Serializable;
import java.util.List;

/**
 * Label statistics, row counts, embedding cardinalities and trained indices of the packed data,
 * computed on the executors per partition and combined on the driver in partition order (so
 * reproducibly).
 */
final class BlockStats implements Serializable {
    private static final long serialVersionUID = 1L;

    long trainingRows;
    long validationRows;
    long maxPartitionRows;
    double weightSum;
    double labelSum;
    double labelSquareSum;
    double labelMin = Double.POSITIVE_INFINITY;
    double labelMax = Double.NEGATIVE_INFINITY;
    int[] maxIndex;
    TrainedIndices trained;
    /** Per dense feature, the weighted sum of its values and of their squares over the training rows. */
    double[] featureSum;
    double[] featureSquareSum;

    static BlockStats of(JavaRDD<PackedPartition> packed, int numEmbeddings, int numFeatures) {
        List<BlockStats> parts = packed.map(p -> BlockStats.of(p, numEmbeddings, numFeatures)).collect();
        BlockStats total = new BlockStats();
        // One bit per index and partition: merged on the executors (a union, so in any order) rather than
        // collected per partition.
        total.trained = packed.map(p -> TrainedIndices.of(p.train, numEmbeddings)).treeReduce(TrainedIndices::add);
        total.featureSum = new double[numFeatures];
        total.featureSquareSum = new double[numFeatures];
        total.maxIndex = new int[numEmbeddings];
        java.util.Arrays.fill(total.maxIndex, -1);
        for (BlockStats s : parts) {
            for (int j = 0; j < numFeatures; j++) {
                total.featureSum[j] += s.featureSum[j];
                total.featureSquareSum[j] += s.featureSquareSum[j];
            }
            total.trainingRows += s.trainingRows;
            total.validationRows += s.validationRows;
            total.maxPartitionRows = Math.max(total.maxPartitionRows, s.trainingRows);
            total.weightSum += s.weightSum;
            total.labelSum += s.labelSum;
            total.labelSquareSum += s.labelSquareSum;
            total.labelMin = Math.min(total.labelMin, s.labelMin);
            total.labelMax = Math.max(total.labelMax, s.labelMax);
            for (int e = 0; e < numEmbeddings; e++) {
                total.maxIndex[e] = Math.max(total.maxIndex[e], s.maxIndex[e]);
            }
        }
        return total;
    }

    private static BlockStats of(PackedPartition p, int numEmbeddings, int numFeatures) {
        BlockStats s = new BlockStats();
        DataBlock b = p.train;
        s.trainingRows = b.rows;
        s.validationRows = p.validation.rows;
        s.maxIndex = new int[numEmbeddings];
        java.util.Arrays.fill(s.maxIndex, -1);
        for (int i = 0; i < b.rows; i++) {
            double w = b.weights == null ? 1 : b.weights[i];
            s.weightSum += w;
            s.labelSum += w * b.labels[i];
            s.labelSquareSum += w * b.labels[i] * b.labels[i];
            if (w > 0) { // a row of weight 0 is not trained on
                s.labelMin = Math.min(s.labelMin, b.labels[i]);
                s.labelMax = Math.max(s.labelMax, b.labels[i]);
            }
        }
        for (int e = 0; e < numEmbeddings; e++) {
            for (int index : b.indices[e]) {
                s.maxIndex[e] = Math.max(s.maxIndex[e], index);
            }
        }
        s.featureSum = new double[numFeatures];
        s.featureSquareSum = new double[numFeatures];
        for (int i = 0; i < b.rows; i++) {
            double w = b.weights == null ? 1 : b.weights[i];
            for (int j = 0; j < numFeatures; j++) {
                double x = b.features[i * numFeatures + j];
                s.featureSum[j] += w * x;
                s.featureSquareSum[j] += w * x * x;
            }
        }
        return s;
    }

    /** The standardisation of the features over the training rows, weighted as the loss weighs them. */
    FeatureScaling featureScaling() {
        return FeatureScaling.of(weightSum, featureSum, featureSquareSum);
    }

    double labelMean() {
        return weightSum > 0 ? labelSum / weightSum : 0;
    }

    /** Standard deviation of the label, or 1 when it is constant (nothing to scale). */
    double labelScale() {
        double variance = weightSum > 0 ? labelSquareSum / weightSum - labelMean() * labelMean() : 0;
        return variance > 1e-12 ? Math.sqrt(variance) : 1;
    }

    /**
     * Known indices per embedding column: the largest index seen in training, plus one, at most the
     * column's limit (when not -1).
     */
    int[] cardinalities(int[] limits) {
        int[] cards = new int[maxIndex.length];
        for (int e = 0; e < cards.length; e++) {
            cards[e] = limits[e] < 0 ? maxIndex[e] + 1 : Math.min(maxIndex[e] + 1, limits[e]);
        }
        return cards;
    }
}

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
    int[] maxIndex;
    TrainedIndices trained;

    static BlockStats of(JavaRDD<PackedPartition> packed, int numEmbeddings) {
        List<BlockStats> parts = packed.map(p -> BlockStats.of(p, numEmbeddings)).collect();
        BlockStats total = new BlockStats();
        total.maxIndex = new int[numEmbeddings];
        java.util.Arrays.fill(total.maxIndex, -1);
        total.trained = TrainedIndices.none(numEmbeddings);
        for (BlockStats s : parts) {
            total.trained.add(s.trained);
            total.trainingRows += s.trainingRows;
            total.validationRows += s.validationRows;
            total.maxPartitionRows = Math.max(total.maxPartitionRows, s.trainingRows);
            total.weightSum += s.weightSum;
            total.labelSum += s.labelSum;
            total.labelSquareSum += s.labelSquareSum;
            for (int e = 0; e < numEmbeddings; e++) {
                total.maxIndex[e] = Math.max(total.maxIndex[e], s.maxIndex[e]);
            }
        }
        return total;
    }

    private static BlockStats of(PackedPartition p, int numEmbeddings) {
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
        }
        for (int e = 0; e < numEmbeddings; e++) {
            for (int index : b.indices[e]) {
                s.maxIndex[e] = Math.max(s.maxIndex[e], index);
            }
        }
        s.trained = TrainedIndices.of(b, numEmbeddings);
        return s;
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

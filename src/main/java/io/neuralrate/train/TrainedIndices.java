package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;

import java.io.Serializable;
import java.util.BitSet;

/**
 * Per embedding column, the indices that occur in the training rows: the table rows a fit trains.
 * An index below the cardinality can still be absent, when its id occurs only in validation rows
 * (the tables are sized by the largest training index, and an indexer fitted before the validation
 * split numbers every id): its row keeps its random initial value, so validation and the model treat
 * it as unknown, like an id never seen. One bit per index, on the driver and in the tasks that read it.
 */
public final class TrainedIndices implements Serializable {
    private static final long serialVersionUID = 1L;

    private final BitSet[] columns;

    private TrainedIndices(BitSet[] columns) {
        this.columns = columns;
    }

    /**
     * The indices of one block's rows (negative indices, for missing values, and rows of weight 0, which
     * train nothing, are left out).
     */
    static TrainedIndices of(DataBlock block, int numEmbeddings) {
        BitSet[] columns = new BitSet[numEmbeddings];
        for (int e = 0; e < numEmbeddings; e++) {
            columns[e] = new BitSet();
            for (int i = 0; i < block.rows; i++) {
                int index = block.indices[e][i];
                if (index >= 0 && (block.weights == null || block.weights[i] > 0)) {
                    columns[e].set(index);
                }
            }
        }
        return new TrainedIndices(columns);
    }

    /** Adds {@code other}'s indices to these. @return this */
    TrainedIndices add(TrainedIndices other) {
        for (int e = 0; e < columns.length; e++) {
            columns[e].or(other.columns[e]);
        }
        return this;
    }

    /**
     * The table row that scoring and validation use for {@code index}: the index's own row when it is
     * below the cardinality and was trained, else the unknown row.
     *
     * @param spec the network's shape
     * @param column embedding column number
     * @param index the index (negative for missing)
     * @return a row in {@code [0, cardinality]}
     */
    int scoringRow(NetworkSpec spec, int column, int index) {
        int row = spec.tableRow(column, index);
        return row < spec.embeddingCardinalities()[column] && !columns[column].get(row)
                ? spec.embeddingCardinalities()[column] : row;
    }

    /** Whether table row {@code row} of {@code column} is kept in the model: trained, or the unknown row. */
    boolean keeps(NetworkSpec spec, int column, int row) {
        return row == spec.embeddingCardinalities()[column] || columns[column].get(row);
    }

    /**
     * Rows of each table the model keeps: the trained indices below the cardinality, plus the unknown row.
     *
     * @param spec the network's shape
     * @return per embedding column, the number of rows its stored table has
     */
    public long[] tableRows(NetworkSpec spec) {
        long[] rows = new long[columns.length];
        for (int e = 0; e < columns.length; e++) {
            int card = spec.embeddingCardinalities()[e];
            rows[e] = columns[e].get(0, card).cardinality() + 1L;
        }
        return rows;
    }
}

package io.neuralrate.train;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.Iterator;

/**
 * A partition's rows packed once into a training block and a validation block, split by the
 * layout's validation-indicator column (if any).
 */
public final class PackedPartition implements Serializable {
    private static final long serialVersionUID = 1L;

    final DataBlock train;
    final DataBlock validation;

    PackedPartition(DataBlock train, DataBlock validation) {
        this.train = train;
        this.validation = validation;
    }

    /** The training rows. */
    public DataBlock train() {
        return train;
    }

    /** The validation rows (possibly none). */
    public DataBlock validation() {
        return validation;
    }

    /**
     * Packs a partition's rows.
     *
     * @param rows the partition's rows, in the layout's column order, with a label
     * @param layout how to read the rows
     * @return the packed blocks
     */
    public static PackedPartition pack(Iterator<Row> rows, RowLayout layout) {
        int d = layout.numFeatures();
        int numEmb = layout.numEmbeddings();
        DataBlock.Builder train = new DataBlock.Builder(d, layout.hasWeight(), numEmb);
        DataBlock.Builder validation = new DataBlock.Builder(d, layout.hasWeight(), numEmb);
        int[] index = new int[numEmb];
        while (rows.hasNext()) {
            Row row = rows.next();
            DataBlock.Builder target = layout.hasValidationIndicator() && layout.readValidation(row)
                    ? validation : train;
            float label = (float) layout.readLabel(row);
            float weight = layout.hasWeight() ? (float) layout.readWeight(row) : 1f;
            for (int e = 0; e < numEmb; e++) {
                index[e] = layout.readIndex(row, e);
            }
            int offset = target.add(label, weight, index);
            layout.readFeatures(row, target.featureArray(), offset);
        }
        return new PackedPartition(train.build(), validation.build());
    }
}

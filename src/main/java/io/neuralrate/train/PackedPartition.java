package io.neuralrate.train;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * A partition's rows packed once into a training block and a validation block. The split is
 * decided here, row by row: by the validation-indicator column when there is one, else by a
 * random draw seeded by (seed, partition), so the same data and partitioning always give the
 * same split.
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
     * @param validationFraction share of rows drawn into validation when there is no indicator column
     * @param seed random seed
     * @param partition partition number (part of the draw's seed)
     * @return the packed blocks
     */
    public static PackedPartition pack(Iterator<Row> rows, RowLayout layout, double validationFraction,
                                       long seed, int partition) {
        int d = layout.numFeatures();
        int numEmb = layout.numEmbeddings();
        DataBlock.Builder train = new DataBlock.Builder(d, layout.hasWeight(), numEmb);
        DataBlock.Builder validation = new DataBlock.Builder(d, layout.hasWeight(), numEmb);
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, 0x5a17L, partition));
        int[] index = new int[numEmb];
        while (rows.hasNext()) {
            Row row = rows.next();
            boolean toValidation = layout.hasValidationIndicator()
                    ? layout.readValidation(row)
                    : validationFraction > 0 && random.nextDouble() < validationFraction;
            DataBlock.Builder target = toValidation ? validation : train;
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

package io.neuralrate.train;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

/**
 * Where the model's inputs sit in a row, and how to read them into primitive arrays.
 *
 * <p>Shared by training (packing blocks) and scoring (filling batches), so both read a row the
 * same way and fail with the same messages.
 */
public final class RowLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Index value that marks a missing (null) embedding index; mapped to the unknown row. */
    public static final int MISSING_INDEX = -1;

    private final String featuresCol;
    private final String labelCol;
    private final String weightCol;
    private final String[] embeddingCols;
    private final String validationCol;
    private final int numFeatures;
    private final int featuresPos;
    private final int labelPos;
    private final int weightPos;
    private final int[] embeddingPos;
    private final int validationPos;

    private RowLayout(StructType schema, String featuresCol, String labelCol, String weightCol,
                      String[] embeddingCols, String validationCol, int numFeatures) {
        this.featuresCol = featuresCol;
        this.labelCol = labelCol;
        this.weightCol = weightCol;
        this.embeddingCols = embeddingCols.clone();
        this.validationCol = validationCol;
        this.numFeatures = featuresCol == null ? 0 : numFeatures;
        this.featuresPos = position(schema, featuresCol);
        this.labelPos = position(schema, labelCol);
        this.weightPos = position(schema, weightCol);
        this.embeddingPos = new int[embeddingCols.length];
        for (int e = 0; e < embeddingCols.length; e++) {
            embeddingPos[e] = position(schema, embeddingCols[e]);
        }
        this.validationPos = position(schema, validationCol);
    }

    /**
     * The same inputs in rows of {@code schema}, with {@code validationCol} as the validation indicator.
     *
     * @param schema the rows' schema (this layout's columns plus the indicator)
     * @param validationCol boolean validation-indicator column
     * @return the new layout
     */
    public RowLayout withValidationCol(StructType schema, String validationCol) {
        return new RowLayout(schema, featuresCol, labelCol, weightCol, embeddingCols, validationCol, numFeatures);
    }

    /**
     * The same inputs in rows of another schema that holds the same columns (e.g. a projection).
     *
     * @param schema the rows' schema
     * @return the new layout
     */
    public RowLayout rebind(StructType schema) {
        return new RowLayout(schema, featuresCol, labelCol, weightCol, embeddingCols, validationCol, numFeatures);
    }

    /**
     * Describes where the inputs sit in rows of {@code schema}; null names mean "not present".
     *
     * @param schema the rows' schema
     * @param featuresCol vector column, or null
     * @param labelCol label column, or null (scoring)
     * @param weightCol weight column, or null
     * @param embeddingCols integer index columns (may be empty)
     * @param validationCol boolean validation-indicator column, or null
     * @param numFeatures expected length of the feature vectors (ignored without a features column)
     * @return the layout
     * @throws IllegalArgumentException if a named column is not in the schema
     */
    public static RowLayout of(StructType schema, String featuresCol, String labelCol, String weightCol,
                               String[] embeddingCols, String validationCol, int numFeatures) {
        return new RowLayout(schema, featuresCol, labelCol, weightCol, embeddingCols, validationCol, numFeatures);
    }

    private static int position(StructType schema, String name) {
        if (name == null) {
            return -1;
        }
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("Column '" + name + "' is missing; the input has "
                    + String.join(", ", schema.fieldNames()));
        }
        return schema.fieldIndex(name);
    }

    /** The names of the columns this layout reads. */
    public String[] columnNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String n : new String[] {featuresCol, labelCol, weightCol}) {
            if (n != null) {
                names.add(n);
            }
        }
        names.addAll(java.util.Arrays.asList(embeddingCols));
        if (validationCol != null) {
            names.add(validationCol);
        }
        return names.toArray(new String[0]);
    }

    /** Length of the feature vectors. */
    public int numFeatures() {
        return numFeatures;
    }

    /** Number of embedding index columns. */
    public int numEmbeddings() {
        return embeddingCols.length;
    }

    /** Whether rows carry a weight. */
    public boolean hasWeight() {
        return weightCol != null;
    }

    /** Whether rows carry a validation indicator. */
    public boolean hasValidationIndicator() {
        return validationCol != null;
    }

    /**
     * Copies the row's feature vector into {@code dest[offset ..]}.
     *
     * @param row the row
     * @param dest destination array
     * @param offset first position to write
     * @throws IllegalArgumentException if the vector is null, of the wrong size or not finite
     */
    public void readFeatures(Row row, float[] dest, int offset) {
        if (featuresCol == null) {
            return;
        }
        Object value = row.get(featuresPos);
        if (value == null) {
            throw new IllegalArgumentException("Column '" + featuresCol + "' is null in row " + row);
        }
        Vector v = (Vector) value;
        if (v.size() != numFeatures) {
            throw new IllegalArgumentException("Column '" + featuresCol + "' has a vector of size " + v.size()
                    + " where " + numFeatures + " was expected (row " + row + ")");
        }
        if (v instanceof SparseVector) {
            SparseVector sparse = (SparseVector) v;
            java.util.Arrays.fill(dest, offset, offset + numFeatures, 0f);
            int[] positions = sparse.indices();
            double[] values = sparse.values();
            for (int k = 0; k < positions.length; k++) {
                dest[offset + positions[k]] = checkedFeature(values[k], positions[k], row);
            }
        } else {
            double[] values = ((DenseVector) v).values();
            for (int i = 0; i < numFeatures; i++) {
                dest[offset + i] = checkedFeature(values[i], i, row);
            }
        }
    }

    private float checkedFeature(double x, int position, Row row) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("Column '" + featuresCol + "' has a non-finite value " + x
                    + " at position " + position + " (row " + row + ")");
        }
        return (float) x;
    }

    /**
     * The row's label.
     *
     * @param row the row
     * @return the label
     * @throws IllegalArgumentException if it is null or not finite
     */
    public double readLabel(Row row) {
        return readFinite(row, labelPos, labelCol);
    }

    /**
     * The row's weight.
     *
     * @param row the row
     * @return the weight (>= 0)
     * @throws IllegalArgumentException if it is null, negative or not finite
     */
    public double readWeight(Row row) {
        double w = readFinite(row, weightPos, weightCol);
        if (w < 0) {
            throw new IllegalArgumentException("Column '" + weightCol + "' has a negative weight " + w);
        }
        return w;
    }

    /**
     * The row's index in embedding column {@code e}, or {@link #MISSING_INDEX} when it is null.
     *
     * @param row the row
     * @param e embedding column number
     * @return the index
     */
    public int readIndex(Row row, int e) {
        Object value = row.get(embeddingPos[e]);
        if (value == null) {
            return MISSING_INDEX;
        }
        double d = ((Number) value).doubleValue();
        if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
            return MISSING_INDEX;
        }
        return (int) d;
    }

    /**
     * Whether the row belongs to the validation set, per the indicator column.
     *
     * @param row the row
     * @return the indicator (null counts as false)
     */
    public boolean readValidation(Row row) {
        Object value = row.get(validationPos);
        return value != null && (Boolean) value;
    }

    /** Name of embedding column {@code e}, for messages. */
    public String embeddingCol(int e) {
        return embeddingCols[e];
    }

    private static double readFinite(Row row, int pos, String name) {
        Object value = row.get(pos);
        if (value == null) {
            throw new IllegalArgumentException("Column '" + name + "' is null in row " + row);
        }
        double d = ((Number) value).doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("Column '" + name + "' has a non-finite value " + d + " in row " + row);
        }
        return d;
    }
}

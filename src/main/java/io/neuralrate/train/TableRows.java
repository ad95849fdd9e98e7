package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.List;

/**
 * The row layout of an embedding table as a Dataset, one row per table row, the layout ALS uses for
 * its factors: {@value #INDEX} (0 .. cardinality-1 for the indices trained, cardinality for the
 * learned "unknown" row), {@value #VECTOR} (array of floats) and {@value #BIAS}. A fit keeps only
 * the rows it trained ({@link TrainedIndices}) and the unknown row; an index below the cardinality
 * without a row of its own is scored as unknown.
 */
public final class TableRows {
    /** Table column: the row's index. */
    public static final String INDEX = "index";
    /** Table column: the embedding vector. */
    public static final String VECTOR = "vector";
    /** Table column: the per-index bias. */
    public static final String BIAS = "bias";
    /** The schema of a table. */
    public static final StructType SCHEMA = new StructType()
            .add(INDEX, DataTypes.IntegerType, false)
            .add(VECTOR, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(BIAS, DataTypes.FloatType, false);

    /** Rows per table partition when a table is built from arrays on the driver. */
    private static final int ROWS_PER_PARTITION = 100_000;

    private TableRows() {}

    /**
     * Turns tables held on the driver (a fit that broadcast them, a model file of format 2) into cached
     * Datasets. The values travel once, as a broadcast the
     * executors build the rows from; the tasks themselves stay small (a parallelized list of rows
     * would put each partition's rows into every task that reads the table, at every use).
     *
     * @param spark the session
     * @param spec the network's shape
     * @param tables the tables in the spec's layout ({@code 2e}: vectors, {@code 2e+1}: biases)
     * @param trained the rows to keep (with the unknown row), or null for every row (it travels in the tasks:
     *     one bit per row of tables small enough to be on the driver)
     * @return one Dataset per embedding column
     */
    public static List<Dataset<Row>> fromArrays(SparkSession spark, NetworkSpec spec, float[][] tables,
                                                TrainedIndices trained) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int dim = spec.embeddingDim();
        List<Dataset<Row>> out = new ArrayList<>();
        for (int e = 0; e < spec.numEmbeddings(); e++) {
            // Kept, not destroyed: a lost cached partition is rebuilt from it.
            Broadcast<float[][]> values = sc.broadcast(new float[][] {tables[2 * e], tables[2 * e + 1]});
            int rows = tables[2 * e + 1].length;
            int column = e;
            List<Integer> starts = new ArrayList<>();
            for (int start = 0; start < rows; start += ROWS_PER_PARTITION) {
                starts.add(start);
            }
            JavaRDD<Row> built = sc.parallelize(starts, starts.size()).flatMap(start -> {
                float[] vectors = values.value()[0];
                float[] biases = values.value()[1];
                List<Row> part = new ArrayList<>();
                for (int r = start; r < Math.min(rows, start + ROWS_PER_PARTITION); r++) {
                    if (trained == null || trained.keeps(spec, column, r)) {
                        part.add(row(r, vectors, r, dim, biases[r]));
                    }
                }
                return part.iterator();
            });
            Dataset<Row> table = spark.createDataFrame(built, SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
            table.count(); // materialised, so the planner knows its size and broadcasts it to joins when small
            out.add(table);
        }
        return out;
    }

    /** Table row {@code index}, its vector copied from position {@code at} of {@code vectors}. */
    static Row row(int index, float[] vectors, int at, int dim, float bias) {
        float[] v = new float[dim];
        System.arraycopy(vectors, at * dim, v, 0, dim);
        return RowFactory.create(index, v, bias);
    }
}

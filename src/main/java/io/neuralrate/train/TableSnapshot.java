package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Sharded embedding tables, with their optimizer state, as Parquet: the epoch snapshots and the
 * checkpoints' tables. One row per run of up to {@value #CHUNK} consecutive rows of a shard's column,
 * the values as little-endian float blobs (encoding a table value by value as Parquet arrays was the
 * slower half of an epoch's snapshot); an internal format, read back only by the fit that wrote it or
 * one resuming from it with the same settings and worker count.
 */
final class TableSnapshot {
    private static final int CHUNK = 4096;
    private static final StructType SCHEMA = new StructType()
            .add("column", DataTypes.IntegerType, false)
            .add("shard", DataTypes.IntegerType, false)
            .add("shards", DataTypes.IntegerType, false)
            .add("first", DataTypes.IntegerType, false) // position of the run's first row in the shard's column
            .add("rows", DataTypes.IntegerType, false)
            .add("vectors", DataTypes.BinaryType, false)
            .add("biases", DataTypes.BinaryType, false)
            .add("vector_state", DataTypes.BinaryType, false) // slot after slot
            .add("bias_state", DataTypes.BinaryType, false);

    private TableSnapshot() {}

    /**
     * Writes the shards to {@code path}, replacing what is there. Runs of rows are encoded one at a time,
     * as the writer asks for them: a task holds one run beside its shard, not a copy of the shard.
     */
    static void write(SparkSession spark, JavaRDD<EmbeddingShard> shards, Path path) {
        JavaRDD<Row> rows = shards.flatMap(shard -> new Iterator<Row>() {
            private int column;
            private int first;

            @Override
            public boolean hasNext() {
                while (column < shard.columns.length && first >= shard.columns[column].size()) {
                    column++;
                    first = 0;
                }
                return column < shard.columns.length;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                TableSlice c = shard.columns[column];
                int n = Math.min(CHUNK, c.size() - first);
                Row row = RowFactory.create(column, shard.shard, shard.shards, first, n,
                        bytes(new float[][] {c.vectors}, first * c.dim, n * c.dim),
                        bytes(new float[][] {c.biases}, first, n),
                        bytes(c.vectorState, first * c.dim, n * c.dim), bytes(c.biasState, first, n));
                first += n;
                return row;
            }
        });
        spark.createDataFrame(rows, SCHEMA).write().mode("overwrite").parquet(path.toString());
    }

    /**
     * Reads shards written by {@link #write}, at version {@code version}.
     *
     * @throws IllegalStateException if the snapshot was written with another shard count or lacks rows
     */
    static JavaRDD<EmbeddingShard> read(SparkSession spark, Path path, NetworkSpec spec, int shards, int slots,
                                         long version) {
        int dim = spec.embeddingDim();
        int[] cards = spec.embeddingCardinalities();
        return spark.read().schema(SCHEMA).parquet(path.toString()).javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getInt(1), r))
                .partitionBy(new HashPartitioner(shards))
                .mapPartitionsWithIndex((shard, it) -> {
                    List<List<Row>> runs = new ArrayList<>();
                    for (int e = 0; e < cards.length; e++) {
                        runs.add(new ArrayList<>());
                    }
                    it.forEachRemaining(t -> {
                        if (t._2().getInt(2) != shards) {
                            throw new IllegalStateException("snapshot " + path + " was written with "
                                    + t._2().getInt(2) + " shards, not " + shards);
                        }
                        runs.get(t._2().getInt(0)).add(t._2());
                    });
                    TableSlice[] columns = new TableSlice[cards.length];
                    for (int e = 0; e < cards.length; e++) {
                        int[] rows = EmbeddingShard.rowsOf(cards[e] + 1, shard, shards);
                        TableSlice c = new TableSlice(dim, rows, new float[rows.length * dim], new float[rows.length],
                                new float[slots][rows.length * dim], new float[slots][rows.length]);
                        List<Row> column = runs.get(e);
                        column.sort(Comparator.comparingInt(r -> r.getInt(3)));
                        int next = 0;
                        for (Row r : column) {
                            int first = r.getInt(3);
                            int n = r.getInt(4);
                            if (first != next || first + n > rows.length) {
                                throw new IllegalStateException("snapshot " + path + " lacks rows of embedding column "
                                        + e + " in shard " + shard);
                            }
                            floats(r.getAs(5), new float[][] {c.vectors}, first * dim, n * dim);
                            floats(r.getAs(6), new float[][] {c.biases}, first, n);
                            floats(r.getAs(7), c.vectorState, first * dim, n * dim);
                            floats(r.getAs(8), c.biasState, first, n);
                            next = first + n;
                        }
                        if (next != rows.length) {
                            throw new IllegalStateException("snapshot " + path + " lacks rows of embedding column "
                                    + e + " in shard " + shard);
                        }
                        columns[e] = c;
                    }
                    return Collections.singletonList(EmbeddingShard.of(shard, shards, columns, version)).iterator();
                }, true);
    }

    /** {@code [from, from + n)} of each array, one after the other, as little-endian floats. */
    private static byte[] bytes(float[][] arrays, int from, int n) {
        ByteBuffer out = ByteBuffer.allocate(arrays.length * n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : arrays) {
            out.asFloatBuffer().put(a, from, n);
            out.position(out.position() + n * Float.BYTES);
        }
        return out.array();
    }

    /** The inverse of {@link #bytes}: fills {@code [from, from + n)} of each array. */
    private static void floats(byte[] bytes, float[][] arrays, int from, int n) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != arrays.length * n * Float.BYTES) {
            throw new IllegalStateException("a snapshot run has " + bytes.length + " bytes where "
                    + arrays.length * n * Float.BYTES + " were expected");
        }
        for (float[] a : arrays) {
            in.asFloatBuffer().get(a, from, n);
            in.position(in.position() + n * Float.BYTES);
        }
    }
}

package io.neuralrate.ml;

import io.neuralrate.nn.NetworkFile;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.train.TableRows;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

/**
 * A model's embedding tables as Datasets on the executors, one row per table row: {@value #INDEX}
 * (0 .. cardinality-1 for the indices seen in training, cardinality for the learned "unknown"
 * row), {@value #VECTOR} (array of floats) and {@value #BIAS}, the layout ALS uses for its factors,
 * and, when the model was fitted with {@code embeddingIdCols}, {@value #ID}: the raw id of the row
 * (null for the unknown row, see {@link TableIds}). Saved as Parquet; scoring joins each pair with
 * the rows it needs instead of shipping tables, by index or, where the table has ids, by id.
 */
final class EmbeddingTables {
    /** Table column: the row's index. */
    static final String INDEX = TableRows.INDEX;
    /** Table column: the embedding vector. */
    static final String VECTOR = TableRows.VECTOR;
    /** Table column: the per-index bias. */
    static final String BIAS = TableRows.BIAS;
    /** Table column of a table keyed by id ({@link TableIds#key}): the raw id whose index the row is. */
    static final String ID = "id";
    /** A hash partitioning on one column, as a physical plan prints it: the column's name. */
    private static final Pattern HASHED = Pattern.compile("hashpartitioning\\(([^,()#]+)#\\d+[A-Za-z]*, \\d+\\)");
    /** Column added by {@link #attach}: true when any index of the row was not trained on. */
    static final String UNSEEN = "__neuralrate_unseen";
    static final StructType SCHEMA = TableRows.SCHEMA;

    private EmbeddingTables() {}

    /**
     * Checks a stored table before it is used: its schema, and one row per index (scoring joins rows
     * with it, so a missing or duplicated file would silently drop or repeat scored rows). The count
     * comes from the Parquet footers. The unknown row is not checked here: the caller reads it with
     * {@link #unknownRow}, which refuses a table without it.
     *
     * @param table the table as read
     * @param source its path, for messages
     * @param rows the rows it must have: the trained indices plus the unknown row
     * @return the table
     * @throws IllegalArgumentException naming the table and what is wrong
     */
    static Dataset<Row> checked(Dataset<Row> table, String source, long rows) {
        for (StructField expected : SCHEMA.fields()) {
            boolean present = Arrays.asList(table.columns()).contains(expected.name());
            if (!present || !table.schema().apply(expected.name()).dataType().simpleString()
                    .equals(expected.dataType().simpleString())) {
                throw new IllegalArgumentException("Embedding table " + source + " must have columns "
                        + SCHEMA.simpleString() + " but has " + table.schema().simpleString());
            }
        }
        long count = table.count();
        if (count != rows) {
            throw new IllegalArgumentException("Embedding table " + source + " has " + count + " rows where the "
                    + "model has " + rows + " (one per trained index and the unknown row): files are missing or "
                    + "duplicated");
        }
        return table;
    }

    /** Whether a table stores each row's id (it was fitted with {@code embeddingIdCols}). */
    static boolean hasIds(Dataset<Row> table) {
        return Arrays.asList(table.columns()).contains(ID);
    }

    /**
     * Adds to each row, per embedding column, the vector and bias of its table row (the index's own
     * row when it was trained on, else the unknown row) and the {@link #UNSEEN} flag, by joining
     * with the tables. Columns: the input's, then {@code vector_e, bias_e} per column, then the flag.
     * An index below the cardinality whose row the table lacks (never trained: its id occurred only in
     * validation rows) is unseen too; such tables are joined outer, with their unknown row as the
     * fallback (a constant in the plan, from {@code unknownRows}), while complete tables take a plain
     * inner join.
     *
     * <p>With id columns ({@code idCols}), rows are looked up by id in the tables' {@value #ID} instead:
     * an id without a row (unseen, null, or only in validation rows) takes the unknown row, and the index
     * columns are not read. The column whose id the rows are already hash-partitioned by (a join on that
     * id left them so) is looked up first, so that its join does not shuffle them again.
     *
     * @param rows the rows to score
     * @param indexCols the embedding index columns, in training order
     * @param idCols per embedding column, the raw id column to look its row up by, or an empty array to look
     *     every row up by index
     * @param spec the network's shape (its cardinalities)
     * @param tables one table per embedding column
     * @param tableRows per table, its number of rows (the cardinality plus one when complete)
     * @param unknownRows per table, its unknown row ({@link #unknownRow}), asked for only where needed
     * @param dropUnseen whether to leave out rows with an index not trained on
     * @param broadcastBytes the largest table (its values, {@link #valueBytes}, and ids) broadcast to the join
     *     rather than shuffled with the rows and hashed per partition; -1 leaves every choice to Spark
     * @return the joined rows
     */
    static Dataset<Row> attach(Dataset<Row> rows, String[] indexCols, String[] idCols, NetworkSpec spec,
                               List<Dataset<Row>> tables, long[] tableRows, IntFunction<Row> unknownRows,
                               boolean dropUnseen, long broadcastBytes) {
        boolean byId = idCols.length > 0;
        int[] cards = spec.embeddingCardinalities();
        Dataset<Row> out = rows.withColumn(UNSEEN, lit(false));
        if (!byId) {
            Column unseen = lit(false);
            for (int e = 0; e < indexCols.length; e++) {
                Column index = col(quoted(indexCols[e]));
                // Mirrors NetworkSpec.tableRow: a valid index below the cardinality.
                Column known = validIndex(index).and(index.lt(cards[e]));
                out = out.withColumn(rowCol(e), when(known, index.cast(DataTypes.IntegerType))
                        .otherwise(lit(cards[e])));
                unseen = unseen.or(not(known));
            }
            out = out.withColumn(UNSEEN, unseen);
            if (dropUnseen) {
                out = out.where(not(col(UNSEEN)));
            }
        }
        for (int e : byId ? lookupOrder(rows, idCols) : IntStream.range(0, indexCols.length).toArray()) {
            Dataset<Row> table = tables.get(e).select(col(byId ? ID : INDEX).as(keyCol(e)),
                    col(VECTOR).as(vectorCol(e)), col(BIAS).as(biasCol(e)));
            long bytes = joinBytes(tables.get(e), tableRows[e], spec.embeddingDim(), byId);
            if (broadcasts(bytes, broadcastBytes)) {
                // Spark sizes a Parquet table by its files and broadcasts only below 10 MB by default, so a
                // table of a few tens of MB would be joined by shuffling and sorting every scored row; the
                // model knows the table's true size and broadcasts it within the same bound as training.
                table = broadcast(table);
            } else if (broadcastBytes >= 0) {
                // One row per key, so each partition's share of the table is an even slice: build it into a hash
                // map and stream the rows through, rather than sorting both sides (the rows are the wide side).
                table = table.hint("shuffle_hash");
            }
            Column key = col(byId ? quoted(idCols[e]) : rowCol(e)).equalTo(col(keyCol(e)));
            if (dropUnseen || (!byId && tableRows[e] == cards[e] + 1L)) {
                // A complete table has every row (0 .. cardinality), so an inner join keeps every row exactly
                // once; when dropping, it also leaves out the rows whose key has no row (not trained).
                out = out.join(table, key).drop(keyCol(e));
                continue;
            }
            // The unknown row is one vector: it goes into the plan as a constant. (Cross-joined instead, even
            // broadcast, it left the scoring stage of a shuffled join at Spark's 200 uncoalesced partitions on a
            // cluster, each a task building the network for a few thousand rows.)
            Row unknown = unknownRows.apply(e);
            out = out.join(table, key, "left_outer").drop(keyCol(e))
                    .withColumn(UNSEEN, col(UNSEEN).or(col(vectorCol(e)).isNull()))
                    .withColumn(vectorCol(e), coalesce(col(vectorCol(e)), lit(floats(unknown.getList(0)))))
                    .withColumn(biasCol(e), coalesce(col(biasCol(e)), lit(unknown.getFloat(1))));
        }
        List<Column> projection = new ArrayList<>();
        for (String c : rows.columns()) {
            projection.add(col(quoted(c)));
        }
        for (int e = 0; e < indexCols.length; e++) {
            projection.add(col(vectorCol(e)));
            projection.add(col(biasCol(e)));
        }
        projection.add(col(UNSEEN));
        return out.select(projection.toArray(new Column[0]));
    }

    /**
     * A table's unknown row, read from it (a job): scoring falls back on it for every index or id without a
     * row of its own.
     *
     * @param table the table
     * @param source the table, as messages name it
     * @param unknownIndex the unknown row's index (the cardinality)
     * @return its {@value #VECTOR} and {@value #BIAS}
     * @throws IllegalArgumentException if the table has no such row
     */
    static Row unknownRow(Dataset<Row> table, String source, int unknownIndex) {
        List<Row> found = table.where(col(INDEX).equalTo(unknownIndex)).select(VECTOR, BIAS).takeAsList(1);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("Embedding table " + source + " has no unknown row (index "
                    + unknownIndex + ")");
        }
        return found.get(0);
    }

    /**
     * Whether an index column's value is one training reads as an index (mirrors {@code RowLayout.readIndex}):
     * present, whole, non-negative and within an int.
     *
     * @param index the index column
     * @return the test
     */
    static Column validIndex(Column index) {
        return index.isNotNull().and(index.equalTo(floor(index))).and(index.geq(0))
                .and(index.leq(Integer.MAX_VALUE));
    }

    /**
     * The embedding columns in the order to look them up by id: first one whose id the rows are already
     * hash-partitioned by (read off the planned output partitioning of the rows, e.g.
     * {@code hashpartitioning(user_id#12L, 200)}), then the others in their order.
     */
    private static int[] lookupOrder(Dataset<Row> rows, String[] idCols) {
        if (rows.isStreaming()) { // a stream cannot be planned on its own; keep the columns' order
            return IntStream.range(0, idCols.length).toArray();
        }
        SparkPlan plan = rows.queryExecution().executedPlan(); // planned, not run
        if (plan instanceof AdaptiveSparkPlanExec adaptive) { // its own partitioning is unknown until it has run
            plan = adaptive.executedPlan();
        }
        Matcher hashed = HASHED.matcher(plan.outputPartitioning().toString());
        List<String> partitionedBy = new ArrayList<>();
        while (hashed.find()) {
            partitionedBy.add(hashed.group(1));
        }
        return IntStream.range(0, idCols.length).boxed()
                .sorted(Comparator.comparing(e -> !partitionedBy.contains(idCols[e])))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * Writes a table as Parquet in files of at most {@code fileBytes} each (as {@link #valueBytes} and
     * {@link #idBytes} count them), however many partitions it has: a table keyed by a shuffle has the
     * shuffle's (200 by default), one file of a few kB each if written as they are, and a table fitted on a
     * few shards has a few partitions, one file each of any size, read by one task per file.
     *
     * @param table the table
     * @param rows its rows
     * @param dim the embedding dimension
     * @param path the folder to write
     * @param fileBytes the most bytes per file
     */
    static void write(Dataset<Row> table, long rows, int dim, String path, long fileBytes) {
        long bytes = Math.max(1, valueBytes(rows, dim) + idBytes(table, rows));
        int files = (int) Math.max(1, (bytes + fileBytes - 1) / fileBytes);
        long rowsPerFile = Math.max(1, (long) ((double) fileBytes / bytes * rows));
        table.coalesce(files).write().option("maxRecordsPerFile", rowsPerFile).parquet(path);
    }

    /**
     * The bytes of a table's values (vectors and biases as floats), the size {@link #attach} compares with
     * its broadcast bound.
     *
     * @param rows the table's rows
     * @param dim the embedding dimension
     * @return the bytes
     */
    static long valueBytes(long rows, int dim) {
        return rows * (dim + 1L) * Float.BYTES;
    }

    /**
     * Whether {@link #attach} broadcasts a table of {@code bytes} ({@link #joinBytes}) to its join: within a
     * non-negative bound; a negative one leaves the choice to Spark.
     *
     * @param bytes the table's bytes
     * @param broadcastBytes the bound
     * @return true to broadcast it
     */
    static boolean broadcasts(long bytes, long broadcastBytes) {
        return broadcastBytes >= 0 && bytes <= broadcastBytes;
    }

    /**
     * The bytes of a table that {@link #attach} joins: its values, and its ids when rows are looked up by id. It
     * broadcasts the table within its bound, else hashes it on the executors.
     *
     * @param table the table
     * @param rows its rows
     * @param dim the embedding dimension
     * @param byId whether rows are looked up by id
     * @return the bytes
     */
    static long joinBytes(Dataset<Row> table, long rows, int dim, boolean byId) {
        return valueBytes(rows, dim) + (byId ? idBytes(table, rows) : 0);
    }

    /**
     * The bytes of a table's ids, as Spark sizes their type; 0 for a table without ids.
     *
     * @param table the table
     * @param rows its rows
     * @return the bytes
     */
    static long idBytes(Dataset<Row> table, long rows) {
        return hasIds(table) ? rows * table.schema().apply(ID).dataType().defaultSize() : 0;
    }

    /**
     * The digest of stored tables, computed on the executors: equals {@link NetworkFile#digest} of the
     * arrays they were made from (row digests are summed, so order and partitioning do not matter).
     *
     * @param tables one table per embedding column, in column order
     * @return the digest
     */
    static long digest(List<Dataset<Row>> tables) {
        long sum = 0;
        for (int e = 0; e < tables.size(); e++) {
            int column = e;
            sum += tables.get(e).javaRDD().map(row -> {
                float[] v = floats(row.getList(row.fieldIndex(VECTOR)));
                return NetworkFile.rowDigest(column, row.getInt(row.fieldIndex(INDEX)), v, 0, v.length,
                        row.getFloat(row.fieldIndex(BIAS)));
            }).fold(0L, Long::sum);
        }
        return sum;
    }

    /** A vector column's value as an array. */
    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** A column name as Spark reads it literally (dots and backquotes included). */
    static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    static String vectorCol(int e) {
        return "__neuralrate_vector_" + e;
    }

    static String biasCol(int e) {
        return "__neuralrate_bias_" + e;
    }

    private static String rowCol(int e) {
        return "__neuralrate_row_" + e;
    }

    private static String keyCol(int e) {
        return "__neuralrate_key_" + e;
    }
}

package io.neuralrate.ml;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

/**
 * The raw ids of one embedding column's indices, read from the training rows, for a model fitted with
 * {@code embeddingIdCols}: each fitted table row gets its id ({@link #key}), so that scoring can look
 * rows up by id. That lookup must score every row as the lookup by index would, so the ids and the
 * indices must be one-to-one: an id under two indices, an index under two ids, or a null id under a
 * trained index is refused, naming it. Read and checked before training (bad input fails fast), kept
 * (one row per id) until the tables are keyed.
 */
final class TableIds {
    private static final String LAST = "__neuralrate_last_index";
    private static final String FIRST_VALID = "__neuralrate_first_valid_index";

    private final Dataset<Row> perId;
    private final String idCol;
    private final String indexCol;

    private TableIds(Dataset<Row> perId, String idCol, String indexCol) {
        this.perId = perId;
        this.idCol = idCol;
        this.indexCol = indexCol;
    }

    /**
     * {@link #read}s every id column's ids from one pass over the training rows: only their id and index
     * columns, cached while the ids are grouped (the rows are a pipeline's output, whose joins would run
     * again for each column).
     *
     * @param rows the training rows
     * @param idCols the raw id columns
     * @param indexCols the embedding index column made from each
     * @return the ids per column, each cached until {@link #release}
     * @throws IllegalArgumentException naming an id with two indices
     */
    static List<TableIds> readAll(Dataset<Row> rows, String[] idCols, String[] indexCols) {
        Set<String> names = new LinkedHashSet<>(Arrays.asList(idCols));
        names.addAll(Arrays.asList(indexCols));
        Dataset<Row> narrow = rows.select(names.stream().map(n -> col(EmbeddingTables.quoted(n)))
                .toArray(Column[]::new)).persist(StorageLevel.MEMORY_AND_DISK());
        List<TableIds> ids = new ArrayList<>();
        try {
            for (int e = 0; e < idCols.length; e++) {
                ids.add(read(narrow, idCols[e], indexCols[e]));
            }
            return ids;
        } catch (RuntimeException ex) {
            ids.forEach(TableIds::release);
            throw ex;
        } finally {
            narrow.unpersist(false);
        }
    }

    /**
     * Reads each id's index from the training rows and checks that no id has two (a missing or invalid
     * index counts as one of its own).
     *
     * @param rows the training rows
     * @param idCol the raw id column
     * @param indexCol the embedding index column made from it
     * @return the ids, cached until {@link #release}
     * @throws IllegalArgumentException naming an id with two indices
     */
    static TableIds read(Dataset<Row> rows, String idCol, String indexCol) {
        Column index = col(EmbeddingTables.quoted(indexCol));
        // -1 for a missing or invalid index (the lookup by index scores it as unknown).
        Column key = when(EmbeddingTables.validIndex(index), index.cast(DataTypes.IntegerType)).otherwise(lit(-1));
        Dataset<Row> perId = rows.groupBy(col(EmbeddingTables.quoted(idCol)).as(EmbeddingTables.ID))
                .agg(min(key).as(EmbeddingTables.INDEX), max(key).as(LAST),
                        min(when(key.geq(0), key)).as(FIRST_VALID))
                .persist(StorageLevel.MEMORY_AND_DISK());
        perId.count(); // cached whole now: after training it is read again, and the rows may be gone
        Row[] split = (Row[]) perId.where(col(EmbeddingTables.ID).isNotNull()
                .and(col(EmbeddingTables.INDEX).notEqual(col(LAST)))).limit(1).collect();
        if (split.length > 0) {
            perId.unpersist(false);
            throw new IllegalArgumentException("Id " + split[0].get(0) + " of column '" + idCol + "' has more than "
                    + "one index in '" + indexCol + "' (" + described(split[0].getInt(1)) + " and "
                    + described(split[0].getInt(2)) + "); embeddingIdCols needs ids and indices one-to-one");
        }
        return new TableIds(perId, idCol, indexCol);
    }

    private static String described(int index) {
        return index < 0 ? "none" : Integer.toString(index);
    }

    /**
     * Adds to a fitted table each row's id ({@value EmbeddingTables#ID}; null for the unknown row) and caches
     * it as the fitted table was cached (replicated where training replicated it), counted.
     *
     * @param table the fitted table ({@link EmbeddingTables#SCHEMA})
     * @param tableRows its number of rows
     * @param cardinality the indices below which rows are trained ids
     * @return the table with ids
     * @throws IllegalArgumentException naming an index with two ids, or one that rows with a null id had
     */
    Dataset<Row> key(Dataset<Row> table, long tableRows, int cardinality) {
        Row[] nullId = (Row[]) perId.where(col(EmbeddingTables.ID).isNull()
                .and(col(FIRST_VALID).lt(cardinality))).limit(1).collect();
        if (nullId.length > 0) { // by index such rows would take a trained row, by id the unknown one
            throw new IllegalArgumentException("Training rows with a null '" + idCol + "' have index "
                    + nullId[0].getAs(FIRST_VALID) + " in '" + indexCol + "'; embeddingIdCols needs ids and indices "
                    + "one-to-one");
        }
        Dataset<Row> ids = perId.where(col(EmbeddingTables.ID).isNotNull().and(col(EmbeddingTables.INDEX).geq(0))
                .and(col(EmbeddingTables.INDEX).lt(cardinality)));
        Dataset<Row> keyed = table.join(ids, table.col(EmbeddingTables.INDEX).equalTo(ids.col(EmbeddingTables.INDEX)),
                        "left_outer")
                .select(table.col(EmbeddingTables.INDEX), table.col(EmbeddingTables.VECTOR),
                        table.col(EmbeddingTables.BIAS), ids.col(EmbeddingTables.ID))
                .persist(table.storageLevel().useMemory() || table.storageLevel().useDisk() ? table.storageLevel()
                        : StorageLevel.MEMORY_AND_DISK());
        if (keyed.count() != tableRows) {
            Row shared = keyed.groupBy(EmbeddingTables.INDEX).count().where(col("count").gt(1)).first();
            keyed.unpersist(false);
            throw new IllegalArgumentException("Index " + shared.get(0) + " of column '" + indexCol + "' has "
                    + shared.get(1) + " ids in '" + idCol + "'; embeddingIdCols needs ids and indices one-to-one");
        }
        return keyed;
    }

    /** Releases the cached ids. */
    void release() {
        perId.unpersist(false);
    }
}

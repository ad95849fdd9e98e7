package io.neuralrate.data;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;

/**
 * The invalid-row policy for input tables: a value is invalid when it is null, NaN or infinite (for
 * numbers), or outside the configured range (for the rating). Under {@code fail} the first
 * invalid column is named with a count and an example row; under {@code skip} the rows are dropped
 * and counted. One aggregation pass per table.
 */
public final class RowChecks {
    private static final Logger LOG = LoggerFactory.getLogger(RowChecks.class);

    private RowChecks() {}

    /** What a check left: the valid rows and how many were dropped. */
    public record Outcome(Dataset<Row> valid, long skipped) {
    }

    /**
     * Checks columns of a table.
     *
     * @param df the table
     * @param table its role, for messages
     * @param idColumns columns shown to identify an example row
     * @param columns the columns to check (those present in {@code df}; others are ignored)
     * @param rangeColumn a column that must also lie in [{@code min}, {@code max}], or null
     * @param min lower bound for {@code rangeColumn}
     * @param max upper bound for {@code rangeColumn}
     * @param skip whether to drop invalid rows instead of failing
     * @return the valid rows and the count skipped
     * @throws IllegalArgumentException under {@code fail}, naming table, column, count and an example
     */
    public static Outcome check(Dataset<Row> df, String table, List<String> idColumns, List<String> columns,
                                String rangeColumn, double min, double max, boolean skip) {
        List<String> checked = new ArrayList<>();
        List<Column> invalid = new ArrayList<>();
        for (String c : columns) {
            if (!Arrays.asList(df.columns()).contains(c)) {
                continue;
            }
            DataType type = df.schema().apply(c).dataType();
            Column bad = col(c).isNull();
            if (type.equals(DataTypes.DoubleType) || type.equals(DataTypes.FloatType)) {
                bad = bad.or(functions.isnan(col(c))).or(functions.abs(col(c)).equalTo(Double.POSITIVE_INFINITY));
            }
            if (c.equals(rangeColumn) && type instanceof NumericType) {
                bad = bad.or(col(c).lt(min)).or(col(c).gt(max));
            }
            if (type instanceof NumericType || type.equals(DataTypes.BooleanType)
                    || type.equals(SQLDataTypes.VectorType()) || idColumns.contains(c)) {
                checked.add(c);
                invalid.add(bad);
            }
        }
        if (checked.isEmpty()) {
            return new Outcome(df, 0);
        }
        // One pass: a count per column, then the count of rows with any invalid column (the rows skipped).
        Column[] counts = new Column[checked.size() + 1];
        Column any = functions.lit(false);
        for (int i = 0; i < checked.size(); i++) {
            counts[i] = functions.sum(functions.when(invalid.get(i), 1).otherwise(0));
            any = any.or(invalid.get(i));
        }
        counts[checked.size()] = functions.sum(functions.when(any, 1).otherwise(0));
        Row totals = df.agg(counts[0], Arrays.copyOfRange(counts, 1, counts.length)).first();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < checked.size(); i++) {
            long n = totals.isNullAt(i) ? 0 : totals.getLong(i);
            if (n > 0) {
                problems.add(describe(df, table, idColumns, checked.get(i), invalid.get(i), n,
                        checked.get(i).equals(rangeColumn) ? String.format(Locale.ROOT, " or outside [%s, %s]",
                                min, max) : ""));
            }
        }
        if (problems.isEmpty()) {
            return new Outcome(df, 0);
        }
        if (!skip) {
            throw new IllegalArgumentException(String.join("; ", problems)
                    + ". Fix the input, or set input.invalid-rows = skip to drop such rows and count them");
        }
        Dataset<Row> valid = df.filter(functions.not(any));
        long skipped = totals.getLong(checked.size());
        LOG.warn("Skipping {} rows of the {} table: {}", skipped, table, String.join("; ", problems));
        return new Outcome(valid, skipped);
    }

    private static String describe(Dataset<Row> df, String table, List<String> idColumns, String column,
                                   Column invalid, long count, String rangeNote) {
        List<Column> shown = new ArrayList<>();
        for (String id : idColumns) {
            if (Arrays.asList(df.columns()).contains(id) && !id.equals(column)) {
                shown.add(col(id));
            }
        }
        shown.add(col(column));
        Row example = df.filter(invalid).select(shown.toArray(new Column[0])).first();
        StringBuilder e = new StringBuilder();
        for (int i = 0; i < shown.size(); i++) {
            e.append(i == 0 ? "" : ", ").append(example.schema().fieldNames()[i]).append('=').append(example.get(i));
        }
        return String.format(Locale.ROOT, "The %s table has %d rows whose '%s' is null, NaN or infinite%s "
                + "(e.g. %s)", table, count, column, rangeNote, e);
    }
}

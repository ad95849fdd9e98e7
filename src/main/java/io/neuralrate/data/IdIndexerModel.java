package io.neuralrate.data;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

import static org.apache.spark.sql.functions.col;

/**
 * A fitted {@link IdIndexer}: the id table (id, index, count of training rows) as a Dataset that
 * lives on the executors, joined with the rows to transform. Saved as Spark ML metadata plus the id
 * table in Parquet ({@code data/ids}); loading reads the table lazily, so neither fitting, saving,
 * loading nor transforming holds the ids on the driver.
 */
public final class IdIndexerModel extends Model<IdIndexerModel>
        implements IdIndexerParams<IdIndexerModel>, MLWritable {
    private static final long serialVersionUID = 1L;
    /** Id table column: the id. */
    public static final String ID = "id";
    /** Id table column: its dense index, 0 .. numIds-1. */
    public static final String INDEX = "index";
    /** Id table column: the number of rows the id had in the data the indexer was fitted on. */
    public static final String COUNT = "count";
    static final String TABLE = "data/ids";
    /** Output column metadata key (a long): the number of ids indexed; read by MlpRegressor under the same name. */
    public static final String NUM_IDS_METADATA = "num_ids";

    private final String uid;
    private final transient Dataset<Row> ids;
    private final long numIds;

    IdIndexerModel(String uid, Dataset<Row> ids, long numIds) {
        this.uid = uid;
        this.ids = ids;
        this.numIds = numIds;
        setDefault(handleInvalid(), "keep");
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * The id table: {@value #ID}, {@value #INDEX}, {@value #COUNT} (training rows per id), one row per
     * distinct id seen in {@code fit}.
     *
     * @return the table (a Dataset on the executors)
     */
    public Dataset<Row> ids() {
        return ids;
    }

    /** The number of distinct ids indexed; also the index "keep" gives unseen and null ids. @return the count */
    public long numIds() {
        return numIds;
    }

    static StructType validateAndTransformSchema(StructType schema, String inputCol, String outputCol,
                                                 String handleInvalid, long numIds) {
        if (!Arrays.asList(schema.fieldNames()).contains(inputCol)) {
            throw new IllegalArgumentException("Column '" + inputCol + "' (inputCol) is missing; the input has "
                    + String.join(", ", schema.fieldNames()));
        }
        DataType type = schema.apply(inputCol).dataType();
        if (!(type instanceof AtomicType)) {
            throw new IllegalArgumentException("Column '" + inputCol + "' (inputCol) must hold atomic ids (string, "
                    + "integer ...) but is " + type.simpleString());
        }
        if (Arrays.asList(schema.fieldNames()).contains(outputCol)) {
            throw new IllegalArgumentException("Output column '" + outputCol + "' already exists");
        }
        NominalAttribute attribute = NominalAttribute.defaultAttr().withName(outputCol);
        Metadata metadata = attribute.toStructField().metadata();
        if (numIds >= 0) {
            // The number of values only, never the ids: metadata stays small however many ids there are. With
            // "keep" the unknown bucket is one more value, as StringIndexer counts it; NUM_IDS_METADATA tells
            // MlpRegressor where the known ids end.
            int values = (int) Math.min(Integer.MAX_VALUE, "keep".equals(handleInvalid) ? numIds + 1 : numIds);
            metadata = new MetadataBuilder().withMetadata(attribute.withNumValues(values).toStructField().metadata())
                    .putLong(NUM_IDS_METADATA, numIds).build();
        }
        return schema.add(new StructField(outputCol, DataTypes.IntegerType, true, metadata));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructType out = validateAndTransformSchema(schema, getInputCol(), getOutputCol(), getHandleInvalid(), numIds);
        // The same type as in fit: comparing other types would need a cast, which fails or silently finds nothing.
        DataType fitted = ids.schema().apply(ID).dataType();
        DataType given = schema.apply(getInputCol()).dataType();
        if (!given.simpleString().equals(fitted.simpleString())) {
            throw new IllegalArgumentException("Column '" + getInputCol() + "' (inputCol) is " + given.simpleString()
                    + " but the IdIndexer was fitted on " + fitted.simpleString() + " ids");
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Dataset<Row> rows = dataset.toDF();
        String lookupId = "__id_" + uid;
        String lookupIndex = "__index_" + uid;
        Dataset<Row> lookup = ids.select(col(ID).as(lookupId), col(INDEX).as(lookupIndex));
        // A left join: Spark broadcasts the id table when it is small and shuffles both sides when not; either
        // way the ids stay on the executors.
        Dataset<Row> joined = rows.join(lookup, rows.col(Tables.quoted(getInputCol())).equalTo(lookup.col(lookupId)), "left");
        Column index = col(lookupIndex);
        switch (getHandleInvalid()) {
            case "keep":
                index = functions.coalesce(index, functions.lit((int) Math.min(Integer.MAX_VALUE, numIds)));
                break;
            case "skip":
                joined = joined.where(index.isNotNull());
                break;
            default: // error
                index = functions.when(index.isNull(), functions.raise_error(functions.concat(
                        functions.lit("IdIndexer: id '"), functions.coalesce(
                                rows.col(Tables.quoted(getInputCol())).cast(DataTypes.StringType), functions.lit("null")),
                        functions.lit("' in column '" + getInputCol() + "' was not seen when the indexer was fitted "
                                + "(set handleInvalid to keep or skip)")))).otherwise(index);
        }
        Column[] projection = new Column[rows.columns().length + 1];
        for (int i = 0; i < rows.columns().length; i++) {
            projection[i] = rows.col(Tables.quoted(rows.columns()[i]));
        }
        projection[projection.length - 1] = index.cast(DataTypes.IntegerType)
                .as(getOutputCol(), out.apply(getOutputCol()).metadata());
        return joined.select(projection);
    }

    @Override
    public IdIndexerModel copy(ParamMap extra) {
        return copyValues(new IdIndexerModel(uid, ids, numIds), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** @return a reader for saved models */
    public static MLReader<IdIndexerModel> read() {
        return new Reader();
    }

    /**
     * Loads a model saved with {@code write().save(path)}.
     *
     * @param path folder
     * @return the model
     */
    public static IdIndexerModel load(String path) {
        return read().load(path);
    }

    /** Writes the Params as Spark ML metadata and the id table as Parquet under {@value #TABLE}. */
    private static final class Writer extends MLWriter {
        private final IdIndexerModel instance;

        Writer(IdIndexerModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            SparkSession spark = sparkSession();
            // The SparkContext overloads are the ones Spark 3.5 and 4.x share.
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, spark.sparkContext(), scala.Option.empty(),
                    scala.Option.empty());
            instance.ids.write().parquet(new org.apache.hadoop.fs.Path(path, TABLE).toString());
        }
    }

    /** Reads what {@link Writer} wrote. */
    private static final class Reader extends MLReader<IdIndexerModel> {
        @Override
        public IdIndexerModel load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path,
                    spark.sparkContext(), IdIndexerModel.class.getName());
            Dataset<Row> ids = spark.read().parquet(new org.apache.hadoop.fs.Path(path, TABLE).toString());
            long numIds = ids.count(); // from the Parquet footers
            IdIndexerModel model = new IdIndexerModel(metadata.uid(), ids, numIds);
            metadata.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }
}

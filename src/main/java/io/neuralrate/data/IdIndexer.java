package io.neuralrate.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.col;

/**
 * Maps ids (user, item, any atomic column) to dense integer indices, for embedding columns, without
 * a driver-side dictionary: the distinct ids are counted, sorted and numbered on the executors
 * into an <em>id table</em> (id, index, count), which the model joins with the rows it transforms
 * and saves as Parquet. Spark's {@code StringIndexer} instead collects every label onto the driver
 * and writes them all into the column metadata and the saved pipeline, which does not scale to
 * millions of ids.
 *
 * <p>Indices follow the ids' string form in ascending order (StringIndexer's "alphabetAsc"), so a
 * pipeline moved from {@code StringIndexer(stringOrderType = alphabetAsc)} keeps its indices. Null
 * ids are not indexed. Unseen and null ids are handled by {@code handleInvalid} when transforming.
 */
public final class IdIndexer extends Estimator<IdIndexerModel>
        implements IdIndexerParams<IdIndexer>, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;

    /** Creates an indexer with a random uid. */
    public IdIndexer() {
        this(Identifiable$.MODULE$.randomUID("idIndexer"));
    }

    /**
     * Creates an indexer with the given uid (used by persistence and {@link #copy}).
     *
     * @param uid the uid
     */
    public IdIndexer(String uid) {
        this.uid = uid;
        setDefault(handleInvalid(), "keep");
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return IdIndexerModel.validateAndTransformSchema(schema, getInputCol(), getOutputCol(), getHandleInvalid(), -1);
    }

    @Override
    public IdIndexerModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        Dataset<Row> counts = dataset.toDF().select(col(Tables.quoted(getInputCol())).as(IdIndexerModel.ID))
                .where(col(IdIndexerModel.ID).isNotNull())
                .groupBy(IdIndexerModel.ID).count();
        // A total order on unique keys, so the numbering is the same on every run and partitioning.
        JavaRDD<Row> sorted = counts.orderBy(col(IdIndexerModel.ID).cast(DataTypes.StringType), col(IdIndexerModel.ID))
                .javaRDD();
        JavaRDD<Row> numbered = sorted.zipWithIndex().map(t -> {
            if (t._2() >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("IdIndexer: more than " + Integer.MAX_VALUE + " distinct ids");
            }
            return RowFactory.create(t._1().get(0), (int) (long) t._2(), t._1().getLong(1));
        });
        StructType schema = new StructType()
                .add(IdIndexerModel.ID, dataset.schema().apply(getInputCol()).dataType(), false)
                .add(IdIndexerModel.INDEX, DataTypes.IntegerType, false)
                .add(IdIndexerModel.COUNT, DataTypes.LongType, false);
        Dataset<Row> table = dataset.sparkSession().createDataFrame(numbered, schema)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long numIds = table.count();
        IdIndexerModel model = new IdIndexerModel(uid, table, numIds);
        model.setParent(this);
        return copyValues(model, extractParamMap());
    }

    @Override
    public IdIndexer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** @return a reader for saved indexers */
    public static MLReader<IdIndexer> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * Loads an indexer saved with {@code write().save(path)}.
     *
     * @param path folder
     * @return the indexer
     */
    public static IdIndexer load(String path) {
        return read().load(path);
    }
}

package io.neuralrate.data;

import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Builds, from the joined table's schema, the Spark ML stages that turn feature columns into one
 * vector: numeric and boolean columns as they are, strings as categoricals (index + one-hot,
 * unseen values tolerated), arrays of numbers and Vectors concatenated; optional
 * standardisation; and the user and item ids as embedding indices. The stages become part of
 * the saved {@code PipelineModel}, so scoring needs only the ids.
 */
public final class FeatureAssembly {
    /** Output column of the assembled feature vector. */
    public static final String FEATURES = "features";
    /** Embedding index column of the user id. */
    public static final String USER_INDEX = "user_index";
    /** Embedding index column of the item id. */
    public static final String ITEM_INDEX = "item_index";

    private final List<PipelineStage> stages = new ArrayList<>();
    private final List<String> featureColumns = new ArrayList<>();
    private final List<String> embeddingColumns = new ArrayList<>();
    private final List<String> embeddingIdColumns = new ArrayList<>();

    private FeatureAssembly() {}

    /**
     * Plans the stages.
     *
     * @param joined the joined ratings + user + item features (arrays are scanned once for their length)
     * @param exclude columns never used as features (ids, label, timestamp, ...)
     * @param include if non-empty, only these columns are used as features
     * @param standardize whether to standardise the assembled vector
     * @param idEmbeddings whether to index user_id and item_id as embedding columns
     * @return the plan
     */
    public static FeatureAssembly plan(Dataset<Row> joined, Set<String> exclude, Collection<String> include,
                                       boolean standardize, boolean idEmbeddings) {
        StructType schema = joined.schema();
        for (String name : include) {
            if (!java.util.Arrays.asList(schema.fieldNames()).contains(name)) {
                throw new IllegalArgumentException("Feature column '" + name + "' is in neither the users nor the "
                        + "items table (they have " + String.join(", ", schema.fieldNames()) + ")");
            }
        }
        FeatureAssembly plan = new FeatureAssembly();
        List<String> vectorInputs = new ArrayList<>();
        List<String> categoricals = new ArrayList<>();
        List<String> arrays = new ArrayList<>();
        List<String> scalars = new ArrayList<>();
        for (StructField field : schema.fields()) {
            String name = field.name();
            if (exclude.contains(name) || (!include.isEmpty() && !include.contains(name))) {
                continue;
            }
            DataType type = field.dataType();
            if (type instanceof NumericType) {
                vectorInputs.add(name);
                scalars.add(name);
            } else if (type.equals(SQLDataTypes.VectorType())) {
                vectorInputs.add(name);
            } else if (type instanceof BooleanType) {
                arrays.add(name); // cast to double below
            } else if (type instanceof StringType) {
                categoricals.add(name);
            } else if (type instanceof ArrayType && ((ArrayType) type).elementType() instanceof NumericType) {
                arrays.add(name);
            } else {
                throw new IllegalArgumentException("Feature column '" + name + "' has unsupported type "
                        + type.simpleString() + "; use numeric, boolean, string, array of numbers or Vector, "
                        + "or exclude it");
            }
            plan.featureColumns.add(name);
        }
        if (!arrays.isEmpty()) {
            // Booleans become 0/1 and each array position its own column (missing positions 0), in a
            // SQLTransformer so that the expansion is saved with the model.
            StringBuilder sql = new StringBuilder("SELECT *");
            for (String name : arrays) {
                DataType type = schema.apply(name).dataType();
                if (type instanceof BooleanType) {
                    sql.append(", CAST(").append(Tables.quoted(name)).append(" AS DOUBLE) AS ")
                            .append(Tables.quoted(name + "__num"));
                    vectorInputs.add(name + "__num");
                    scalars.add(name + "__num");
                    continue;
                }
                Object longest = joined.selectExpr("max(size(" + Tables.quoted(name) + "))").first().get(0);
                int length = longest == null ? 0 : Math.max(0, ((Number) longest).intValue());
                for (int i = 0; i < length; i++) {
                    String out = name + "__" + i;
                    sql.append(", coalesce(CAST(try_element_at(").append(Tables.quoted(name)).append(", ").append(i + 1)
                            .append(") AS DOUBLE), 0D) AS ").append(Tables.quoted(out));
                    vectorInputs.add(out);
                }
            }
            plan.stages.add(new SQLTransformer().setStatement(sql.append(" FROM __THIS__").toString()));
        }
        if (!scalars.isEmpty()) {
            // A rating whose user or item has no row in its feature table (or a null cell) gets the
            // training mean, like an unknown entity, instead of failing the scoring job.
            String[] imputed = scalars.stream().map(n -> n + "__imputed").toArray(String[]::new);
            plan.stages.add(new Imputer().setInputCols(scalars.toArray(new String[0])).setOutputCols(imputed)
                    .setStrategy("mean"));
            for (int i = 0; i < imputed.length; i++) {
                vectorInputs.set(vectorInputs.indexOf(scalars.get(i)), imputed[i]);
            }
        }
        for (String name : categoricals) {
            plan.stages.add(new StringIndexer().setInputCol(name).setOutputCol(name + "__idx")
                    .setHandleInvalid("keep").setStringOrderType("alphabetAsc"));
            plan.stages.add(new OneHotEncoder().setInputCol(name + "__idx").setOutputCol(name + "__onehot")
                    .setHandleInvalid("keep").setDropLast(false));
            vectorInputs.add(name + "__onehot");
        }
        if (!vectorInputs.isEmpty()) {
            String assembled = standardize ? FEATURES + "__raw" : FEATURES;
            plan.stages.add(new VectorAssembler().setInputCols(vectorInputs.toArray(new String[0]))
                    .setOutputCol(assembled).setHandleInvalid("error"));
            if (standardize) {
                plan.stages.add(new StandardScaler().setInputCol(assembled).setOutputCol(FEATURES)
                        .setWithMean(true).setWithStd(true));
            }
        }
        if (idEmbeddings) {
            // Ids are indexed on the executors (no driver-side dictionary); unseen ids get the unknown index.
            plan.stages.add(new IdIndexer().setInputCol(Tables.USER_ID).setOutputCol(USER_INDEX));
            plan.stages.add(new IdIndexer().setInputCol(Tables.ITEM_ID).setOutputCol(ITEM_INDEX));
            plan.embeddingColumns.add(USER_INDEX);
            plan.embeddingColumns.add(ITEM_INDEX);
            plan.embeddingIdColumns.add(Tables.USER_ID);
            plan.embeddingIdColumns.add(Tables.ITEM_ID);
        }
        return plan;
    }

    /** The feature-preparation stages, in order. @return the stages */
    public List<PipelineStage> stages() {
        return stages;
    }

    /** Whether a feature vector is assembled. @return true if there is at least one feature column */
    public boolean hasFeatures() {
        return !featureColumns.isEmpty();
    }

    /** The source columns used as features. @return the columns */
    public List<String> featureColumns() {
        return featureColumns;
    }

    /** The embedding index columns produced. @return the columns */
    public List<String> embeddingColumns() {
        return embeddingColumns;
    }

    /** The raw id column each embedding index column is made from, in the same order. @return the columns */
    public List<String> embeddingIdColumns() {
        return embeddingIdColumns;
    }
}

package io.neuralrate.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * Input and output columns. Param objects are created on each call: Spark identifies a Param by
 * its parent's uid and its name, so equal instances serve as keys, and an interface can declare
 * Params without instance fields.
 *
 * @param <T> the implementing class, which the setters return
 */
public interface HasColumnParams<T extends HasColumnParams<T>> extends Params {
    /** Param: the feature vector column (default "features"). @return the Param */
    default Param<String> featuresCol() {
        return new Param<>(this, "featuresCol", "feature vector column name (a Vector; optional with embeddingCols)");
    }

    /** Param: the label column (default "label"). @return the Param */
    default Param<String> labelCol() {
        return new Param<>(this, "labelCol", "label column name (numeric)");
    }

    /** Param: the output column (default "prediction"). @return the Param */
    default Param<String> predictionCol() {
        return new Param<>(this, "predictionCol", "prediction column name");
    }

    /** Param: optional per-row weight column; unset or empty means equal weights. @return the Param */
    default Param<String> weightCol() {
        return new Param<>(this, "weightCol", "weight column name; unset or empty means all rows weigh 1");
    }

    /** Param: integer index columns, each learned as an embedding table (default none). @return the Param */
    default StringArrayParam embeddingCols() {
        return new StringArrayParam(this, "embeddingCols",
                "integer index columns (e.g. from IdIndexer), each learned as an embedding with a bias");
    }

    /**
     * Param: for each embedding column, the column of raw ids its indices were made from (e.g. an
     * {@code IdIndexer}'s inputCol), or none (default). When set, the fitted model stores each table row
     * with its id and scoring looks the rows up by id: rows already partitioned by that id (by a join
     * with a feature table on it, say) are then not shuffled again, and the index columns are not needed
     * to score. The ids must map one-to-one onto the indices in the training rows.
     *
     * @return the Param
     */
    default StringArrayParam embeddingIdCols() {
        return new StringArrayParam(this, "embeddingIdCols", "optional: per embedding column, the column of raw "
                + "ids its indices were made from; the model then stores each table row with its id and scores by "
                + "looking rows up by id (sharing the partitioning of other joins on the id)");
    }

    /** @return the feature column name */
    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    /** @return the label column name */
    default String getLabelCol() {
        return getOrDefault(labelCol());
    }

    /** @return the prediction column name */
    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    /** @return the weight column name, or "" when rows are unweighted */
    default String getWeightCol() {
        return isDefined(weightCol()) ? getOrDefault(weightCol()) : "";
    }

    /** @return the embedding index columns */
    default String[] getEmbeddingCols() {
        return getOrDefault(embeddingCols());
    }

    /** @return the raw id column of each embedding column, or none */
    default String[] getEmbeddingIdCols() {
        return getOrDefault(embeddingIdCols());
    }

    /** @param v feature column @return this */
    @SuppressWarnings("unchecked")
    default T setFeaturesCol(String v) {
        return (T) set(featuresCol(), v);
    }

    /** @param v label column @return this */
    @SuppressWarnings("unchecked")
    default T setLabelCol(String v) {
        return (T) set(labelCol(), v);
    }

    /** @param v prediction column @return this */
    @SuppressWarnings("unchecked")
    default T setPredictionCol(String v) {
        return (T) set(predictionCol(), v);
    }

    /** @param v weight column ("" for none) @return this */
    @SuppressWarnings("unchecked")
    default T setWeightCol(String v) {
        return (T) set(weightCol(), v);
    }

    /** @param v embedding index columns, in the order used for training @return this */
    @SuppressWarnings("unchecked")
    default T setEmbeddingCols(String[] v) {
        return (T) set(embeddingCols(), v);
    }

    /** @param v per embedding column, its raw id column (none: tables keyed by index only) @return this */
    @SuppressWarnings("unchecked")
    default T setEmbeddingIdCols(String[] v) {
        return (T) set(embeddingIdCols(), v);
    }
}

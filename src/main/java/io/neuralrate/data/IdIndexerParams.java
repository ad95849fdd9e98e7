package io.neuralrate.data;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

import java.util.Arrays;

/**
 * Params of {@link IdIndexer} and {@link IdIndexerModel}, each with its getter and setter written
 * once.
 *
 * @param <T> the implementing class, which the setters return
 */
public interface IdIndexerParams<T extends IdIndexerParams<T>> extends Params {
    /** The accepted values of {@link #handleInvalid()}. */
    String[] HANDLE_INVALID = {"keep", "error", "skip"};

    /** Param: the id column (any atomic type: string, integer, long ...). @return the Param */
    default Param<String> inputCol() {
        return new Param<>(this, "inputCol", "id column to index");
    }

    /** Param: the dense index column written (an integer). @return the Param */
    default Param<String> outputCol() {
        return new Param<>(this, "outputCol", "dense integer index column");
    }

    /**
     * Param: what {@code transform} does with an id that was not seen in {@code fit}, or a null id:
     * "keep" (default) gives it the index {@code numIds}, the "unknown" bucket that MlpRegressor
     * learns as its unknown embedding; "error" fails naming the id and column; "skip" drops the row.
     *
     * @return the Param
     */
    default Param<String> handleInvalid() {
        return new Param<>(this, "handleInvalid", "unseen or null id: keep (index numIds), error, skip",
                ParamValidators.inArray(Arrays.asList(HANDLE_INVALID)));
    }

    /** @return the id column */
    default String getInputCol() {
        return getOrDefault(inputCol());
    }

    /** @return the index column */
    default String getOutputCol() {
        return getOrDefault(outputCol());
    }

    /** @return the unseen-id policy */
    default String getHandleInvalid() {
        return getOrDefault(handleInvalid());
    }

    /** @param v the id column @return this */
    @SuppressWarnings("unchecked")
    default T setInputCol(String v) {
        return (T) set(inputCol(), v);
    }

    /** @param v the index column @return this */
    @SuppressWarnings("unchecked")
    default T setOutputCol(String v) {
        return (T) set(outputCol(), v);
    }

    /** @param v keep, error or skip @return this */
    @SuppressWarnings("unchecked")
    default T setHandleInvalid(String v) {
        return (T) set(handleInvalid(), v);
    }
}

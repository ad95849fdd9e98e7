package io.neuralrate.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * How predictions are made for unseen indices and whether they are clipped to a range.
 *
 * @param <T> the implementing class, which the setters return
 */
public interface HasPredictionParams<T extends HasPredictionParams<T>> extends Params {
    /**
     * Param: what to do with an embedding index not seen in training (or null, or out of range):
     * "unknown" (default) uses the learned unknown embedding, "nan" predicts NaN, "drop" drops the row.
     *
     * @return the Param
     */
    default Param<String> coldStartStrategy() {
        return new Param<>(this, "coldStartStrategy",
                "unseen embedding index: unknown (learned unknown embedding), nan, drop",
                ParamChecks.oneOf("coldStartStrategy", ColdStartStrategy.class));
    }

    /**
     * Param: lower bound to clip predictions to. Unless set on the estimator, the fitted model clips to
     * the smallest training label (e.g. 1 for 1-5 stars); set -infinity for no clipping.
     *
     * @return the Param
     */
    default DoubleParam minPrediction() {
        return new DoubleParam(this, "minPrediction", "predictions below this are clipped to it (unless set: the "
                + "smallest training label; -Infinity for none)");
    }

    /**
     * Param: upper bound to clip predictions to. Unless set on the estimator, the fitted model clips to
     * the largest training label (e.g. 5 for 1-5 stars); set +infinity for no clipping.
     *
     * @return the Param
     */
    default DoubleParam maxPrediction() {
        return new DoubleParam(this, "maxPrediction", "predictions above this are clipped to it (unless set: the "
                + "largest training label; Infinity for none)");
    }

    /** @return the cold-start strategy */
    default String getColdStartStrategy() {
        return getOrDefault(coldStartStrategy());
    }

    /** @return the lower clipping bound */
    default double getMinPrediction() {
        return (Double) getOrDefault(minPrediction());
    }

    /** @return the upper clipping bound */
    default double getMaxPrediction() {
        return (Double) getOrDefault(maxPrediction());
    }

    /** @param v cold-start strategy: unknown, nan or drop @return this */
    @SuppressWarnings("unchecked")
    default T setColdStartStrategy(String v) {
        return (T) set(coldStartStrategy(), v);
    }

    /** @param v lower clipping bound @return this */
    @SuppressWarnings("unchecked")
    default T setMinPrediction(double v) {
        return (T) set(minPrediction(), v);
    }

    /** @param v upper clipping bound @return this */
    @SuppressWarnings("unchecked")
    default T setMaxPrediction(double v) {
        return (T) set(maxPrediction(), v);
    }
}

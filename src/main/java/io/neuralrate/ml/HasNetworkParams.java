package io.neuralrate.ml;

import io.neuralrate.nn.Activation;
import io.neuralrate.nn.ParamEnum;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

import java.util.Arrays;

/**
 * The network's shape. Defaults: {@link io.neuralrate.train.TrainingDefaults}.
 *
 * @param <T> the implementing class, which the setters return
 */
public interface HasNetworkParams<T extends HasNetworkParams<T>> extends Params {
    /** Param: widths of the hidden layers. @return the Param */
    default IntArrayParam hiddenLayers() {
        return new IntArrayParam(this, "hiddenLayers", "widths of the hidden layers, at least one, all > 0",
                ParamChecks.<int[]>check("hiddenLayers", "must be non-empty with every width > 0",
                        v -> v != null && v.length > 0 && Arrays.stream(v).allMatch(h -> h > 0)));
    }

    /** Param: hidden activation. @return the Param */
    default Param<String> activation() {
        return new Param<>(this, "activation", "hidden activation: "
                + String.join(", ", ParamEnum.paramValues(Activation.class)),
                ParamChecks.oneOf("activation", Activation.class));
    }

    /** Param: dropout rate on hidden activations during training. @return the Param */
    default DoubleParam dropout() {
        return new DoubleParam(this, "dropout", "dropout rate on hidden activations, in [0, 1)",
                ParamChecks.fraction("dropout"));
    }

    /** Param: width of each embedding. @return the Param */
    default IntParam embeddingDim() {
        return new IntParam(this, "embeddingDim", "width of each embedding (> 0)", ParamChecks.positive("embeddingDim"));
    }

    /** @return hidden layer widths */
    default int[] getHiddenLayers() {
        return getOrDefault(hiddenLayers());
    }

    /** @return the activation name */
    default String getActivation() {
        return getOrDefault(activation());
    }

    /** @return the dropout rate */
    default double getDropout() {
        return (Double) getOrDefault(dropout());
    }

    /** @return the embedding width */
    default int getEmbeddingDim() {
        return (Integer) getOrDefault(embeddingDim());
    }

    /** @param v hidden layer widths @return this */
    @SuppressWarnings("unchecked")
    default T setHiddenLayers(int[] v) {
        return (T) set(hiddenLayers(), v);
    }

    /** @param v activation name @return this */
    @SuppressWarnings("unchecked")
    default T setActivation(String v) {
        return (T) set(activation(), v);
    }

    /** @param v dropout rate @return this */
    @SuppressWarnings("unchecked")
    default T setDropout(double v) {
        return (T) set(dropout(), v);
    }

    /** @param v embedding width @return this */
    @SuppressWarnings("unchecked")
    default T setEmbeddingDim(int v) {
        return (T) set(embeddingDim(), v);
    }
}

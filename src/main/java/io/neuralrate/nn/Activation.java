package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;

/** The non-linearity applied after every hidden layer of the perceptron. */
public enum Activation implements ParamEnum {
    /** max(0, x), the seed's choice. */
    RELU,
    /** Hyperbolic tangent. */
    TANH,
    /** Logistic sigmoid. */
    SIGMOID,
    /** Gaussian error linear unit. */
    GELU,
    /** max(0.01 x, x). */
    LEAKY_RELU;

    /** Applies the activation, returning a new array owned by the input's manager. */
    NDArray apply(NDArray x) {
        switch (this) {
            case RELU:
                return ai.djl.nn.Activation.relu(x);
            case TANH:
                return ai.djl.nn.Activation.tanh(x);
            case SIGMOID:
                return ai.djl.nn.Activation.sigmoid(x);
            case GELU:
                return ai.djl.nn.Activation.gelu(x);
            case LEAKY_RELU:
                return ai.djl.nn.Activation.leakyRelu(x, 0.01f);
            default:
                throw new AssertionError(this);
        }
    }
}

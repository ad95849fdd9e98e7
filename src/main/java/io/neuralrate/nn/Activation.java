package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;

import java.util.Locale;

/** The non-linearity applied after every hidden layer of the perceptron. */
public enum Activation {
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

    /** The Param value that names this activation ("relu", "leaky_relu", ...). */
    public String paramValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a Param value.
     *
     * @param value the name, case-insensitive
     * @return the activation
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Activation fromParam(String value) {
        for (Activation a : values()) {
            if (a.paramValue().equalsIgnoreCase(value)) {
                return a;
            }
        }
        throw new IllegalArgumentException(
                "Unknown activation '" + value + "'; expected one of " + String.join(", ", names()));
    }

    /** The accepted Param values. */
    public static String[] names() {
        Activation[] all = values();
        String[] names = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            names[i] = all[i].paramValue();
        }
        return names;
    }
}

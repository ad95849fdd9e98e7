package io.neuralrate.nn;

import java.util.Arrays;
import java.util.Locale;

/**
 * An enum whose constants back the values of a string Param: {@code LEAKY_RELU} is written
 * "leaky_relu" and parsed case-insensitively. Implemented by every such enum, so the name/value
 * plumbing and its error message are written once.
 */
public interface ParamEnum {
    /** @return the constant's name (every enum has it) */
    String name();

    /** @return the Param value that names this constant: its name in lower case */
    default String paramValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The accepted Param values of an enum, in declaration order.
     *
     * @param type the enum
     * @param <E> the enum type
     * @return one value per constant
     */
    static <E extends Enum<E> & ParamEnum> String[] paramValues(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ParamEnum::paramValue).toArray(String[]::new);
    }

    /**
     * Parses a Param value.
     *
     * @param type the enum
     * @param param the Param's name, for the message
     * @param value the value, case-insensitive
     * @param <E> the enum type
     * @return the constant
     * @throws IllegalArgumentException naming the Param, the value and the accepted values
     */
    static <E extends Enum<E> & ParamEnum> E parse(Class<E> type, String param, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.paramValue().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("Unknown " + param + " '" + value + "'; expected one of "
                + String.join(", ", paramValues(type)));
    }
}

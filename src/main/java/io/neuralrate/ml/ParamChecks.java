package io.neuralrate.ml;

import io.neuralrate.nn.ParamEnum;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Param validators that say why a value is refused. Spark only reports "given invalid value";
 * these throw an {@link IllegalArgumentException} naming the Param, the value and the rule.
 */
final class ParamChecks {
    private ParamChecks() {}

    /** A validator: {@code rule} must hold, else the message names the Param and {@code expectation}. */
    static <T> scala.Function1<T, Object> check(String param, String expectation, SerializablePredicate<T> rule) {
        return new Check<>(param, expectation, rule);
    }

    static scala.Function1<Object, Object> positive(String param) {
        return check(param, "must be > 0", v -> ((Number) v).doubleValue() > 0);
    }

    static scala.Function1<Object, Object> nonNegative(String param) {
        return check(param, "must be >= 0", v -> ((Number) v).doubleValue() >= 0);
    }

    static scala.Function1<Object, Object> fraction(String param) {
        return check(param, "must be in [0, 1)", v -> {
            double d = ((Number) v).doubleValue();
            return d >= 0 && d < 1;
        });
    }

    /** A validator accepting the Param values of {@code type}, case-insensitively. */
    static <E extends Enum<E> & ParamEnum> scala.Function1<String, Object> oneOf(String param, Class<E> type) {
        String[] allowed = ParamEnum.paramValues(type);
        return check(param, "must be one of " + String.join(", ", allowed),
                v -> v != null && Arrays.stream(allowed).anyMatch(a -> a.equalsIgnoreCase(v)));
    }

    /** A serialisable predicate (Params travel inside closures on a cluster). */
    interface SerializablePredicate<T> extends Predicate<T>, Serializable {
    }

    private static final class Check<T> extends AbstractFunction1<T, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String param;
        private final String expectation;
        private final SerializablePredicate<T> rule;

        Check(String param, String expectation, SerializablePredicate<T> rule) {
            this.param = param;
            this.expectation = expectation;
            this.rule = rule;
        }

        @Override
        public Object apply(T value) {
            if (!rule.test(value)) {
                String shown = value instanceof int[] ? Arrays.toString((int[]) value)
                        : value instanceof String[] ? Arrays.toString((String[]) value) : String.valueOf(value);
                throw new IllegalArgumentException("Param " + param + " " + expectation + ", got " + shown);
            }
            return Boolean.TRUE;
        }
    }
}

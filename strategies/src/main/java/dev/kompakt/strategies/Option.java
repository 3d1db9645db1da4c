package dev.kompakt.strategies;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A named choice of a strategy (a pruning schedule, a calibration method, ...), spelled the same in the spec, the
 * search space, the journal and the plan. Each strategy keeps its choices in an enum implementing this, so spec
 * validation, space and plan read one list.
 */
public interface Option {
    /** The name the spec, the search space, recipes and the wire use, e.g. {@code group_lasso}. */
    @JsonValue
    String id();

    /** The option of {@code type} whose {@link #id()} is {@code id} (case-insensitive), else an exception listing them. */
    static <E extends Enum<E> & Option> E parse(Class<E> type, String id) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equalsIgnoreCase(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + describe(type) + " '" + id + "' (known: " + String.join(", ", ids(type)) + ")");
    }

    /** The ids of every option of {@code type}, in declaration order. */
    static <E extends Enum<E> & Option> List<String> ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Option::id).toList();
    }

    /** The ids of {@code options}, in order (the choices of a categorical parameter). */
    static List<Object> choices(List<? extends Option> options) {
        return options.stream().map(o -> (Object) o.id()).toList();
    }

    private static String describe(Class<?> type) {
        String outer = type.getEnclosingClass() == null ? "" : type.getEnclosingClass().getSimpleName().replace("Strategy", "") + " ";
        // CalibrationMethod -> "calibration method"
        return (outer + type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2")).toLowerCase(Locale.ROOT);
    }
}

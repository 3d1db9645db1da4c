package dev.kompakt.search;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed search-space parameter. Values are plain JSON scalars: {@code Double} for floats,
 * {@code Integer} for ints, and the choice object itself (String, Integer, Double or Boolean) for
 * categoricals. A parameter may be conditional: active only when an earlier parameter has one of
 * the given values; inactive parameters are absent from an {@link Assignment}.
 */
public sealed interface Parameter permits Parameter.FloatParam, Parameter.IntParam, Parameter.Categorical {

    String name();

    Optional<Condition> activeIf();

    /** Maps a point of the unit interval to a valid value (the samplers' common coordinate system). */
    Object fromUnit(double u);

    /** The inverse of {@link #fromUnit} up to rounding; categoricals map to the centre of their bucket. */
    double toUnit(Object value);

    /** True when the value is a valid value of this parameter. */
    boolean contains(Object value);

    /** Active only when {@code parent}'s value is one of {@code values}. */
    record Condition(String parent, List<Object> values) {
        public Condition {
            Objects.requireNonNull(parent, "parent");
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("condition on '" + parent + "' lists no values");
            }
        }

        public boolean holds(Assignment assignment) {
            return assignment.has(parent) && values.contains(assignment.get(parent));
        }
    }

    /** A real parameter in [low, high], optionally on a log scale or rounded to a step. */
    record FloatParam(String name, double low, double high, boolean log, double step, Optional<Condition> activeIf)
            implements Parameter {
        public FloatParam {
            requireName(name);
            if (!(low <= high) || Double.isInfinite(low) || Double.isInfinite(high)) {
                throw new IllegalArgumentException("parameter '" + name + "': need finite low <= high, got [" + low + ", " + high + "]");
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException("parameter '" + name + "': a log-scale range needs low > 0, got " + low);
            }
            if (step < 0 || (step > 0 && log)) {
                throw new IllegalArgumentException("parameter '" + name + "': step must be >= 0 and cannot be combined with log");
            }
            activeIf = activeIf == null ? Optional.empty() : activeIf;
        }

        public FloatParam(String name, double low, double high) {
            this(name, low, high, false, 0.0, Optional.empty());
        }

        @Override
        public Object fromUnit(double u) {
            double x = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
            if (step > 0) {
                x = low + Math.round((x - low) / step) * step;
            }
            return Math.min(high, Math.max(low, x));
        }

        @Override
        public double toUnit(Object value) {
            double x = ((Number) value).doubleValue();
            if (high == low) {
                return 0.5;
            }
            return log ? (Math.log(x) - Math.log(low)) / (Math.log(high) - Math.log(low)) : (x - low) / (high - low);
        }

        @Override
        public boolean contains(Object value) {
            return value instanceof Double d && d >= low && d <= high;
        }
    }

    /** An integer parameter in [low, high], optionally on a log scale or a multiple of step from low. */
    record IntParam(String name, int low, int high, boolean log, int step, Optional<Condition> activeIf) implements Parameter {
        public IntParam {
            requireName(name);
            if (low > high) {
                throw new IllegalArgumentException("parameter '" + name + "': need low <= high, got [" + low + ", " + high + "]");
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException("parameter '" + name + "': a log-scale range needs low > 0, got " + low);
            }
            if (step < 1) {
                throw new IllegalArgumentException("parameter '" + name + "': step must be >= 1, got " + step);
            }
            activeIf = activeIf == null ? Optional.empty() : activeIf;
        }

        public IntParam(String name, int low, int high) {
            this(name, low, high, false, 1, Optional.empty());
        }

        private int steps() {
            return (high - low) / step + 1;
        }

        @Override
        public Object fromUnit(double u) {
            u = Math.max(0.0, Math.min(1.0, u));
            if (log) {
                double x = Math.exp(Math.log(low) + u * (Math.log(high + 1.0) - Math.log(low)));
                int k = (int) Math.floor((Math.floor(x) - low) / step);
                return low + Math.max(0, Math.min(steps() - 1, k)) * step;
            }
            int k = (int) Math.floor(u * steps());
            return low + Math.max(0, Math.min(steps() - 1, k)) * step;
        }

        @Override
        public double toUnit(Object value) {
            int x = ((Number) value).intValue();
            if (log) {
                return (Math.log(x + 0.5) - Math.log(low)) / (Math.log(high + 1.0) - Math.log(low));
            }
            return ((x - low) / step + 0.5) / steps();
        }

        @Override
        public boolean contains(Object value) {
            return value instanceof Integer i && i >= low && i <= high && (i - low) % step == 0;
        }
    }

    /** One of a fixed list of choices (strings, numbers or booleans). */
    record Categorical(String name, List<Object> choices, Optional<Condition> activeIf) implements Parameter {
        public Categorical {
            requireName(name);
            choices = List.copyOf(choices);
            if (choices.isEmpty()) {
                throw new IllegalArgumentException("parameter '" + name + "' has no choices");
            }
            if (choices.stream().distinct().count() != choices.size()) {
                throw new IllegalArgumentException("parameter '" + name + "' lists a choice twice: " + choices);
            }
            activeIf = activeIf == null ? Optional.empty() : activeIf;
        }

        public Categorical(String name, List<Object> choices) {
            this(name, choices, Optional.empty());
        }

        @Override
        public Object fromUnit(double u) {
            int i = (int) Math.floor(u * choices.size());
            return choices.get(Math.max(0, Math.min(choices.size() - 1, i)));
        }

        @Override
        public double toUnit(Object value) {
            int i = choices.indexOf(value);
            if (i < 0) {
                throw new IllegalArgumentException("parameter '" + name + "': " + value + " is not one of " + choices);
            }
            return (i + 0.5) / choices.size();
        }

        @Override
        public boolean contains(Object value) {
            return choices.contains(value);
        }

        public int indexOf(Object value) {
            return choices.indexOf(value);
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a parameter needs a non-empty name");
        }
    }
}

package dev.kompakt.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values a sampler chose for one trial, by parameter name, in search-space order.
 * Immutable. Values are JSON scalars (see {@link Parameter}).
 */
public record Assignment(Map<String, Object> values) {
    public Assignment {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("assignment has no value for '" + name + "' (present: " + values.keySet() + ")");
        }
        return v;
    }

    public double getDouble(String name) {
        return toNumber(name).doubleValue();
    }

    public int getInt(String name) {
        return toNumber(name).intValue();
    }

    public boolean getBoolean(String name) {
        Object v = get(name);
        if (v instanceof Boolean b) {
            return b;
        }
        return Boolean.parseBoolean(v.toString());
    }

    public String getString(String name) {
        return get(name).toString();
    }

    private Number toNumber(String name) {
        Object v = get(name);
        if (v instanceof Number n) {
            return n;
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter '" + name + "' is not a number: " + v, e);
        }
    }
}

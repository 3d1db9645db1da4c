package dev.kompakt.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * An ordered list of parameters. A conditional parameter must come after the parameter it depends on,
 * so one pass in order decides which parameters are active.
 */
public record SearchSpace(List<Parameter> parameters) {
    public SearchSpace {
        parameters = List.copyOf(parameters);
        Set<String> seen = new HashSet<>();
        for (Parameter p : parameters) {
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("search space defines parameter '" + p.name() + "' twice");
            }
            p.activeIf().ifPresent(c -> {
                if (!seen.contains(c.parent()) || c.parent().equals(p.name())) {
                    throw new IllegalArgumentException("parameter '" + p.name() + "' is conditional on '" + c.parent()
                            + "', which is not defined before it");
                }
            });
        }
    }

    /** Merges fragments, each under its own prefix ("prune." etc.); conditions are re-prefixed too. */
    public static SearchSpace merge(Map<String, SearchSpace> fragmentsByPrefix) {
        List<Parameter> all = new ArrayList<>();
        fragmentsByPrefix.forEach((prefix, fragment) -> fragment.parameters().forEach(p -> all.add(prefixed(prefix, p))));
        return new SearchSpace(all);
    }

    private static Parameter prefixed(String prefix, Parameter p) {
        var cond = p.activeIf().map(c -> new Parameter.Condition(prefix + c.parent(), c.values()));
        if (p instanceof Parameter.FloatParam f) {
            return new Parameter.FloatParam(prefix + f.name(), f.low(), f.high(), f.log(), f.step(), cond);
        }
        if (p instanceof Parameter.IntParam i) {
            return new Parameter.IntParam(prefix + i.name(), i.low(), i.high(), i.log(), i.step(), cond);
        }
        Parameter.Categorical c = (Parameter.Categorical) p;
        return new Parameter.Categorical(prefix + c.name(), c.choices(), cond);
    }

    public Parameter parameter(String name) {
        for (Parameter p : parameters) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("search space has no parameter '" + name + "'");
    }

    /**
     * Builds an assignment from unit-interval coordinates, one per parameter in order; coordinates of
     * parameters whose condition does not hold are ignored.
     */
    public Assignment fromUnit(ToDoubleFunction<Parameter> unitCoordinate) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            Assignment sofar = new Assignment(values);
            if (p.activeIf().map(c -> c.holds(sofar)).orElse(true)) {
                values.put(p.name(), p.fromUnit(unitCoordinate.applyAsDouble(p)));
            }
        }
        return new Assignment(values);
    }

    /** True when every active parameter has a valid value and no inactive one has a value. */
    public boolean contains(Assignment a) {
        Map<String, Object> sofar = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            boolean active = p.activeIf().map(c -> c.holds(new Assignment(sofar))).orElse(true);
            if (active != a.has(p.name())) {
                return false;
            }
            if (active) {
                if (!p.contains(a.get(p.name()))) {
                    return false;
                }
                sofar.put(p.name(), a.get(p.name()));
            }
        }
        return a.values().size() == sofar.size();
    }

    public int size() {
        return parameters.size();
    }
}

package dev.kompakt.experiments.report;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.util.List;
import java.util.Map;

/**
 * Everything a report shows about one run: the objectives and constraints in order, every trial (any
 * state), the Pareto front (feasible, non-dominated, completed trials, sorted by the first objective), the
 * baseline's metrics (same metric names as trials, e.g. {@code accuracy}, {@code size_bytes},
 * {@code latency_ms@rpi4}), and provenance facts to print as key/value pairs.
 */
public record RunSummary(String name, List<Objective> objectives, List<Constraint> constraints, List<Trial> trials,
                         List<Trial> front, Map<String, Double> baseline, Map<String, String> provenance) {
    public RunSummary {
        objectives = List.copyOf(objectives);
        constraints = List.copyOf(constraints);
        trials = List.copyOf(trials);
        front = List.copyOf(front);
        baseline = Map.copyOf(baseline);
        provenance = Map.copyOf(provenance);
    }
}

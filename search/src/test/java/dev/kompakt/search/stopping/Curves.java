package dev.kompakt.search.stopping;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Synthetic learning curves for early-stopping tests. */
final class Curves {
    static final Assignment NO_PARAMS = new Assignment(Map.of());

    private Curves() {
    }

    /** A trial with one metric reported at steps 0, 1, 2, ... */
    static Trial trial(int number, TrialState state, String metric, double... values) {
        TreeMap<Integer, Map<String, Double>> steps = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            steps.put(i, Map.of(metric, values[i]));
        }
        return trial(number, state, steps);
    }

    static Trial running(int number, String metric, double... values) {
        return trial(number, TrialState.RUNNING, metric, values);
    }

    /** A trial with the given values by step; a finished one gets its last values as metrics. */
    static Trial trial(int number, TrialState state, Map<Integer, Map<String, Double>> steps) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (state != TrialState.RUNNING && !steps.isEmpty()) {
            metrics.putAll(new TreeMap<>(steps).lastEntry().getValue());
        }
        return new Trial(number, state, NO_PARAMS, metrics, state == TrialState.FAILED ? "boom" : null, "w", Instant.EPOCH,
                state == TrialState.RUNNING ? null : Instant.EPOCH, new TreeMap<>(steps));
    }

    /** Step -> {metric: value} for one metric at the given steps. */
    static TreeMap<Integer, Map<String, Double>> at(String metric, int[] steps, double[] values) {
        TreeMap<Integer, Map<String, Double>> m = new TreeMap<>();
        for (int i = 0; i < steps.length; i++) {
            m.put(steps[i], Map.of(metric, values[i]));
        }
        return m;
    }

    /** The context a study would give: the judged trial among the others. */
    static EarlyStopper.Context context(Trial judged, List<Trial> others, List<Objective> objectives, List<Constraint> constraints) {
        List<Trial> all = new ArrayList<>(others);
        all.removeIf(t -> t.number() == judged.number());
        all.add(judged);
        all.sort(java.util.Comparator.comparingInt(Trial::number));
        return new EarlyStopper.Context(judged, all, objectives, constraints);
    }

    static EarlyStopper.Context context(Trial judged, List<Trial> others) {
        return context(judged, others, List.of(Objective.minimize("loss")), List.of());
    }

    /** The trial cut back to its first {@code steps} reported steps, still running. */
    static Trial upTo(Trial t, int steps) {
        TreeMap<Integer, Map<String, Double>> m = new TreeMap<>();
        t.intermediateValues().entrySet().stream().limit(steps).forEach(e -> m.put(e.getKey(), e.getValue()));
        return trial(t.number(), TrialState.RUNNING, m);
    }
}

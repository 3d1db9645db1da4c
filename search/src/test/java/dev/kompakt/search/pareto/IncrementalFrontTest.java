package dev.kompakt.search.pareto;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Trial by trial, the incremental front holds exactly what {@link ParetoFront#of} computes from all trials so far. */
class IncrementalFrontTest {
    @Test
    void matchesTheFrontOfAllTrialsAfterEveryAddition() {
        List<Objective> objectives = List.of(Objective.maximize("accuracy"), Objective.minimize("size"), Objective.minimize("latency"));
        List<Constraint> constraints = List.of(new Constraint("drop", 0.05));
        for (long seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            IncrementalFront front = new IncrementalFront(objectives, constraints);
            List<Trial> trials = new ArrayList<>();
            for (int n = 0; n < 400; n++) {
                Map<String, Double> m = new HashMap<>();
                // coarse values, so ties and duplicates occur; some NaN, some infeasible, some failed or stopped
                m.put("accuracy", r.nextInt(50) == 0 ? Double.NaN : r.nextInt(20) / 20.0);
                m.put("size", (double) r.nextInt(20));
                m.put("latency", (double) r.nextInt(10));
                m.put("drop", r.nextInt(5) == 0 ? 0.1 : 0.0);
                TrialState state = r.nextInt(10) == 0 ? TrialState.FAILED : r.nextInt(10) == 0 ? TrialState.STOPPED : TrialState.COMPLETE;
                Trial t = new Trial(n, state, new Assignment(Map.of()), m, state == TrialState.FAILED ? "x" : null, "w", null, null);
                trials.add(t);
                front.add(t);
                Set<Integer> expected = ParetoFront.of(trials, objectives, constraints).stream().map(Trial::number).collect(Collectors.toSet());
                assertEquals(expected, front.members().stream().map(Trial::number).collect(Collectors.toSet()), "seed " + seed + ", after trial " + n);
            }
        }
    }
}

package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.Hypervolume;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MotpeSamplerTest extends SamplerContractTest {

    @Override
    Sampler create(long seed) {
        return new MotpeSampler(seed);
    }

    /** ZDT1 with {@code n} variables (Zitzler, Deb and Thiele 2000): the Pareto set has x2..xn = 0. */
    static SearchSpace zdtSpace(int n) {
        List<Parameter> params = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            params.add(new Parameter.FloatParam("x" + i, 0, 1));
        }
        return new SearchSpace(params);
    }

    static Map<String, Double> zdt1(Assignment a, int n) {
        double f1 = a.getDouble("x1");
        double sum = 0;
        for (int i = 2; i <= n; i++) {
            sum += a.getDouble("x" + i);
        }
        double g = 1 + 9 * sum / (n - 1);
        return Map.of("f1", f1, "f2", g * (1 - Math.sqrt(f1 / g)));
    }

    static double hypervolume(List<Assignment> run, int n) {
        List<double[]> points = run.stream().map(a -> zdt1(a, n)).map(m -> new double[]{m.get("f1"), m.get("f2")}).toList();
        return Hypervolume.of(points, new double[]{1.1, 11});
    }

    @Test
    void startsWithRandomSamplingThenModels() {
        SearchSpace space = mixedSpace();
        List<Assignment> tpe = run(create(5), space, 10, SamplerContractTest::evaluate);
        List<Assignment> random = run(new RandomSampler(5), space, 10, SamplerContractTest::evaluate);
        assertEquals(random, tpe, "the 10 start-up trials are the random sampler's");
    }

    @Test
    void beatsRandomSearchOnZdt1() {
        int n = 10;
        for (long seed = 0; seed < 3; seed++) {
            double tpe = hypervolume(run(create(seed), zdtSpace(n), 100, a -> zdt1(a, n)), n);
            double random = hypervolume(run(new RandomSampler(seed), zdtSpace(n), 100, a -> zdt1(a, n)), n);
            assertTrue(tpe > random, "seed " + seed + ": MO-TPE hypervolume " + tpe + " <= random's " + random);
        }
    }

    @Test
    void univariateModeAlsoBeatsRandomSearch() {
        int n = 10;
        MotpeSampler.Settings univariate = MotpeSampler.Settings.defaults().withMultivariate(false);
        for (long seed = 0; seed < 3; seed++) {
            double tpe = hypervolume(run(new MotpeSampler(seed, univariate), zdtSpace(n), 100, a -> zdt1(a, n)), n);
            double random = hypervolume(run(new RandomSampler(seed), zdtSpace(n), 100, a -> zdt1(a, n)), n);
            assertTrue(tpe > random, "seed " + seed + ": univariate MO-TPE hypervolume " + tpe + " <= random's " + random);
        }
    }

    @Test
    void parallelProposalsAreDistinctAndBatchModeStillBeatsRandomSearch() {
        int n = 10;
        SearchSpace space = zdtSpace(n);
        for (long seed = 0; seed < 3; seed++) {
            // four executors: each round asks four trials before any of them reports (constant liar at work)
            Study study = new Study("batch", space, OBJECTIVES, List.of(), create(seed));
            List<Assignment> all = new ArrayList<>();
            for (int round = 0; round < 25; round++) {
                List<Study.TrialRequest> batch = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    batch.add(study.ask());
                }
                assertEquals(4, batch.stream().map(Study.TrialRequest::assignment).distinct().count());
                for (Study.TrialRequest r : batch) {
                    all.add(r.assignment());
                    study.tell(r.number(), TrialResult.complete(zdt1(r.assignment(), n), "w"));
                }
            }
            double tpe = hypervolume(all, n);
            double random = hypervolume(run(new RandomSampler(seed), space, 100, a -> zdt1(a, n)), n);
            assertTrue(tpe > random, "seed " + seed + ": batched MO-TPE hypervolume " + tpe + " <= random's " + random);
        }
    }

    @Test
    void neverRepeatsATrialInASmallDiscreteSpace() {
        SearchSpace space = new SearchSpace(List.of(
                new Parameter.Categorical("width", List.of(0.5, 0.75, 1.0)),
                new Parameter.IntParam("bits", 4, 8, false, 2, Optional.empty()),
                new Parameter.Categorical("kd", List.of(true, false))));
        // 3 * 3 * 2 = 18 points: 18 trials must visit every one exactly once
        List<Assignment> all = run(create(2), space, 18, a -> Map.of(
                "f1", a.getDouble("width") * a.getInt("bits"),
                "f2", (a.getBoolean("kd") ? 0.0 : 1.0) + 1.0 / a.getInt("bits")));
        assertEquals(18, new HashSet<>(all).size());
    }

    @Test
    void prefersFeasibleRegionsUnderAConstraint() {
        // f1 = x, f2 = 1 - x + y / 10; feasible only for y <= 0.2
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1), new Parameter.FloatParam("y", 0, 1)));
        for (long seed = 0; seed < 3; seed++) {
            Study study = new Study("constrained", space, OBJECTIVES, List.of(new Constraint("y", 0.2)), create(seed));
            for (int i = 0; i < 60; i++) {
                Study.TrialRequest r = study.ask();
                double x = r.assignment().getDouble("x");
                double y = r.assignment().getDouble("y");
                study.tell(r.number(), TrialResult.complete(Map.of("f1", x, "f2", 1 - x + y / 10, "y", y), "w"));
            }
            long feasibleLast30 = study.trials().subList(30, 60).stream().filter(t -> t.violation(study.constraints()) == 0).count();
            // random sampling would be feasible 20% of the time (6 of 30)
            assertTrue(feasibleLast30 >= 15, "seed " + seed + ": only " + feasibleLast30 + " of the last 30 trials are feasible");
        }
    }

    @Test
    void splitPutsTheFirstFrontInTheGoodGroupAndCutsByHypervolume() {
        // minimisation; front: (0,1), (0.5,0.5), (1,0), (0.45, 0.6) is also non-dominated; (1,1) is dominated
        List<Trial> trials = List.of(
                trial(0, 0.0, 1.0), trial(1, 1.0, 1.0), trial(2, 0.5, 0.5), trial(3, 1.0, 0.0), trial(4, 0.45, 0.6));
        MotpeSampler.Split split = MotpeSampler.split(trials, 3, OBJECTIVES, List.of());
        assertEquals(3, split.good().size());
        assertTrue(split.bad().contains(trials.get(1)), "the dominated trial is bad");
        // four mutually non-dominated points, three places: greedy HSSP with reference (1.1, 1.1) first takes (0.5, 0.5)
        // (alone 0.36, vs 0.325 for (0.45, 0.6)), then the extremes (0.05 each, vs 0.025 for (0.45, 0.6))
        Set<Integer> good = new HashSet<>();
        split.good().forEach(t -> good.add(t.number()));
        assertEquals(Set.of(0, 2, 3), good);
    }

    @Test
    void splitFillsTheGoodGroupWithTheLeastViolatingInfeasibleTrials() {
        List<Constraint> constraints = List.of(new Constraint("c", 0.0));
        List<Trial> trials = List.of(
                trial(0, 0.0, 0.0, 0.3), trial(1, 0.5, 0.5, 0.0), trial(2, 0.2, 0.2, 0.1), trial(3, 0.9, 0.9, 0.2));
        MotpeSampler.Split split = MotpeSampler.split(trials, 2, OBJECTIVES, constraints);
        assertEquals(List.of(1, 2), split.good().stream().map(Trial::number).toList(),
                "the one feasible trial, then the least violating one, even though trial 0 dominates everything");
    }

    @Test
    void goodWeightsFollowHypervolumeContributions() {
        List<Trial> good = List.of(trial(0, 0.0, 1.0), trial(1, 0.5, 0.5), trial(2, 0.6, 0.6));
        double[] w = MotpeSampler.goodWeights(good, OBJECTIVES, List.of());
        assertTrue(w[2] < 1e-9, "a dominated member contributes no volume: " + w[2]);
        assertTrue(w[0] > 0 && w[1] > 0);
        assertEquals(1.0, Math.max(w[0], w[1]), 1e-12, "weights are relative to the largest contribution");
    }

    @Test
    void ageWeightsRampUpForOldTrialsBeyondTwentyFive() {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            trials.add(trial(i, i, -i));
        }
        double[] w = MotpeSampler.ageWeights(trials, trials);
        assertEquals(1.0 / 30, w[0], 1e-12);
        assertEquals(1.0, w[4], 1e-12);
        assertEquals(1.0, w[29], 1e-12);
        assertTrue(w[1] > w[0] && w[2] > w[1] && w[3] > w[2]);
    }

    @Test
    void warmStartSkipsTheRandomStartAndHelpsEarly() {
        int n = 10;
        SearchSpace space = zdtSpace(n);
        Study earlier = new Study("earlier", space, OBJECTIVES, List.of(), create(100));
        for (int i = 0; i < 60; i++) {
            Study.TrialRequest r = earlier.ask();
            earlier.tell(r.number(), TrialResult.complete(zdt1(r.assignment(), n), "w"));
        }
        double warm = 0;
        double cold = 0;
        for (long seed = 0; seed < 3; seed++) {
            Sampler warmSampler = WarmStart.of(create(seed), earlier.trials(), space, OBJECTIVES);
            List<Assignment> warmRun = run(warmSampler, space, 10, a -> zdt1(a, n));
            List<Assignment> coldRun = run(create(seed), space, 10, a -> zdt1(a, n));
            assertNotEquals(run(new RandomSampler(seed), space, 10, a -> zdt1(a, n)), warmRun,
                    "with 60 prior trials the sampler models from the first trial on");
            warm += meanG(warmRun, n);
            cold += meanG(coldRun, n);
        }
        assertTrue(warm < cold, "warm-started trials should be closer to the Pareto set: mean g " + warm / 3 + " vs " + cold / 3);
    }

    private static double meanG(List<Assignment> run, int n) {
        double total = 0;
        for (Assignment a : run) {
            double sum = 0;
            for (int i = 2; i <= n; i++) {
                sum += a.getDouble("x" + i);
            }
            total += sum / (n - 1);
        }
        return total / run.size();
    }

    @Test
    void internalCoordinatesRoundTrip() {
        for (Parameter p : mixedSpace().parameters()) {
            for (double u : new double[]{0.0, 0.1, 0.37, 0.5, 0.93, 0.999}) {
                Object v = p.fromUnit(u);
                assertEquals(v, MotpeSampler.toValue(p, MotpeSampler.internal(p, v)), p.name() + " at " + u);
            }
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new MotpeSampler.Settings(0, 24, 0.1, 25, 1, true, true));
        assertThrows(IllegalArgumentException.class, () -> new MotpeSampler.Settings(10, 24, 0.0, 25, 1, true, true));
        assertThrows(IllegalArgumentException.class, () -> new MotpeSampler.Settings(10, 24, 0.1, 25, 0, true, true));
    }

    private static Trial trial(int number, double f1, double f2) {
        return new Trial(number, TrialState.COMPLETE, new Assignment(Map.of("x", (double) number)), Map.of("f1", f1, "f2", f2),
                null, "w", Instant.EPOCH, Instant.EPOCH);
    }

    private static Trial trial(int number, double f1, double f2, double c) {
        return new Trial(number, TrialState.COMPLETE, new Assignment(Map.of("x", (double) number)),
                Map.of("f1", f1, "f2", f2, "c", c), null, "w", Instant.EPOCH, Instant.EPOCH);
    }
}

package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.TrialJournal;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link Sampler} must keep (see its Javadoc): assignments lie in the space and respect its
 * conditions, and the same seed, space and history give the same assignments. Subclasses supply the sampler.
 */
abstract class SamplerContractTest {

    /** A sampler under test, seeded. */
    abstract Sampler create(long seed);

    static final int TRIALS = 40;

    static final List<Objective> OBJECTIVES = List.of(Objective.minimize("f1"), Objective.minimize("f2"));

    /** Float, log float, int with step, log int with step, mixed-type categorical, and two conditional parameters. */
    static SearchSpace mixedSpace() {
        return new SearchSpace(List.of(
                new Parameter.FloatParam("ratio", 0.0, 1.0),
                new Parameter.FloatParam("lr", 1e-5, 1e-1, true, 0.0, Optional.empty()),
                new Parameter.FloatParam("sparsity", 0.1, 0.9, false, 0.05, Optional.empty()),
                new Parameter.IntParam("bits", 2, 16, false, 2, Optional.empty()),
                new Parameter.IntParam("width", 8, 256, true, 8, Optional.empty()),
                new Parameter.Categorical("method", List.of("prune", 4, true, "distill")),
                new Parameter.Categorical("finetune", List.of(true, false)),
                new Parameter.IntParam("epochs", 1, 10, false, 1,
                        Optional.of(new Parameter.Condition("finetune", List.of(true)))),
                new Parameter.FloatParam("finetune_lr", 1e-4, 1e-2, true, 0.0,
                        Optional.of(new Parameter.Condition("finetune", List.of(true))))
        ));
    }

    /** A synthetic two-objective function of every parameter (conditional ones included when present). */
    static Map<String, Double> evaluate(Assignment a) {
        double ratio = a.getDouble("ratio");
        double lr = Math.log10(a.getDouble("lr"));
        double bits = a.getInt("bits") / 16.0;
        double width = a.getInt("width") / 256.0;
        double method = switch (a.get("method").toString()) {
            case "prune" -> 0.1;
            case "4" -> 0.2;
            case "true" -> 0.3;
            default -> 0.4;
        };
        double extra = a.getBoolean("finetune") ? a.getInt("epochs") / 20.0 + Math.abs(Math.log10(a.getDouble("finetune_lr")) + 3) : 0.7;
        double f1 = ratio + bits + 0.5 * width + method;
        double f2 = (1 - ratio) + Math.abs(lr + 3) + a.getDouble("sparsity") + extra;
        return Map.of("f1", f1, "f2", f2);
    }

    /** Runs a study with the given sampler and returns the assignments in trial order, checking each one. */
    static List<Assignment> run(Sampler sampler, SearchSpace space, int trials, ToAssignmentMetrics metrics) {
        Study study = new Study("contract", space, OBJECTIVES, List.of(), sampler);
        List<Assignment> out = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            Study.TrialRequest request = study.ask();
            assertEquals(i, request.number());
            Assignment a = request.assignment();
            assertTrue(space.contains(a), () -> "outside the space: " + a.values());
            out.add(a);
            study.tell(request.number(), TrialResult.complete(metrics.apply(a), "test"));
        }
        assertEquals(trials, study.count(TrialState.COMPLETE));
        return out;
    }

    interface ToAssignmentMetrics {
        Map<String, Double> apply(Assignment a);
    }

    @Test
    void everyAssignmentLiesInTheSpaceAndRespectsConditions() {
        SearchSpace space = mixedSpace();
        List<Assignment> assignments = run(create(42), space, TRIALS, SamplerContractTest::evaluate);
        int withFinetune = 0;
        int withoutFinetune = 0;
        for (Assignment a : assignments) {
            assertTrue(space.contains(a));
            boolean finetune = a.getBoolean("finetune");
            assertTrue(a.get("finetune") instanceof Boolean, "categorical keeps the choice's type");
            assertEquals(finetune, a.has("epochs"), () -> "epochs present iff finetune: " + a.values());
            assertEquals(finetune, a.has("finetune_lr"), () -> "finetune_lr present iff finetune: " + a.values());
            if (finetune) {
                withFinetune++;
                assertEquals(9, a.values().size());
            } else {
                withoutFinetune++;
                assertEquals(7, a.values().size());
            }
            double lr = a.getDouble("lr");
            assertTrue(lr >= 1e-5 && lr <= 1e-1, "lr " + lr);
            int bits = a.getInt("bits");
            assertTrue(bits >= 2 && bits <= 16 && bits % 2 == 0, "bits " + bits);
            int width = a.getInt("width");
            assertTrue(width >= 8 && width <= 256 && width % 8 == 0, "width " + width);
            Object method = a.get("method");
            assertTrue(List.of("prune", 4, true, "distill").contains(method), "method " + method);
        }
        assertTrue(withFinetune > 0 && withoutFinetune > 0,
                "the condition should be exercised both ways: " + withFinetune + " / " + withoutFinetune);
    }

    @Test
    void sameSeedGivesTheSameSequenceAndAnotherSeedDiffers() {
        SearchSpace space = mixedSpace();
        List<Assignment> first = run(create(7), space, TRIALS, SamplerContractTest::evaluate);
        List<Assignment> second = run(create(7), space, TRIALS, SamplerContractTest::evaluate);
        List<Assignment> other = run(create(8), space, TRIALS, SamplerContractTest::evaluate);
        assertEquals(first, second);
        assertNotEquals(first, other);
        assertNotEquals(first.get(0), other.get(0), "the very first trial already depends on the seed");
    }

    @Test
    void sameSeedSpaceAndHistoryGiveTheSameAssignmentForATrialNumber() {
        SearchSpace space = mixedSpace();
        Sampler sampler = create(99);
        Study study = new Study("history", space, OBJECTIVES, List.of(), sampler);
        for (int i = 0; i < 15; i++) {
            Study.TrialRequest r = study.ask();
            study.tell(r.number(), TrialResult.complete(evaluate(r.assignment()), "w"));
        }
        Sampler.Context context = new Sampler.Context(space, OBJECTIVES, List.of(), study.trials(), 15);
        Assignment once = sampler.sample(context);
        Assignment again = create(99).sample(context);
        assertEquals(once, again);
        assertTrue(space.contains(once));
    }

    @Test
    void failedTrialsDoNotBreakTheSampler() {
        SearchSpace space = mixedSpace();
        Study study = new Study("failures", space, OBJECTIVES, List.of(), create(3));
        for (int i = 0; i < TRIALS; i++) {
            Study.TrialRequest r = study.ask();
            assertTrue(space.contains(r.assignment()));
            TrialResult result = i % 3 == 0 ? TrialResult.failed("evaluator crashed", "w")
                    : TrialResult.complete(evaluate(r.assignment()), "w");
            study.tell(r.number(), result);
        }
        assertEquals(14, study.count(TrialState.FAILED));
        assertEquals(TRIALS - 14, study.count(TrialState.COMPLETE));
    }

    @Test
    void degenerateSpacesWork() {
        SearchSpace single = new SearchSpace(List.of(new Parameter.Categorical("only", List.of("a"))));
        for (Assignment a : run(create(1), single, 12, x -> Map.of("f1", 1.0, "f2", 2.0))) {
            assertEquals("a", a.get("only"));
        }
        SearchSpace point = new SearchSpace(List.of(new Parameter.FloatParam("x", 0.5, 0.5), new Parameter.IntParam("k", 3, 3)));
        for (Assignment a : run(create(1), point, 12, x -> Map.of("f1", 1.0, "f2", 2.0))) {
            assertEquals(0.5, a.getDouble("x"), 0.0);
            assertEquals(3, a.get("k"));
        }
    }

    @Test
    void aStudyResumedFromItsJournalMidwayEndsWithTheSameTrials(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        SearchSpace space = mixedSpace();
        List<Assignment> uninterrupted = run(create(13), space, TRIALS, SamplerContractTest::evaluate);

        java.nio.file.Path file = tmp.resolve("trials.jsonl");
        try (TrialJournal journal = TrialJournal.open(file)) {
            Study first = new Study("resume", space, OBJECTIVES, List.of(), create(13), journal, null);
            for (int i = 0; i < TRIALS / 2; i++) {
                Study.TrialRequest r = first.ask();
                first.tell(r.number(), TrialResult.complete(evaluate(r.assignment()), "w"));
            }
            first.ask(); // in flight when the process dies: asked, never told
        }
        List<Trial> replayed = TrialJournal.replay(TrialJournal.read(file));
        assertEquals(TRIALS / 2 + 1, replayed.size());
        Study resumed = new Study("resume", space, OBJECTIVES, List.of(), create(13));
        replayed.forEach(resumed::restore);
        // the trial that was running is evaluated again with its recorded assignment, then new trials are asked
        Trial running = replayed.get(TRIALS / 2);
        assertEquals(TrialState.RUNNING, running.state());
        resumed.tell(running.number(), TrialResult.complete(evaluate(running.assignment()), "w"));
        while (resumed.trials().size() < TRIALS) {
            Study.TrialRequest r = resumed.ask();
            resumed.tell(r.number(), TrialResult.complete(evaluate(r.assignment()), "w"));
        }
        assertEquals(uninterrupted, resumed.trials().stream().map(Trial::assignment).toList());
    }

    static void assertNoDuplicate(List<Assignment> assignments, int from) {
        for (int i = from; i < assignments.size(); i++) {
            for (int j = 0; j < i; j++) {
                assertFalse(assignments.get(i).equals(assignments.get(j)),
                        "trial " + i + " repeats trial " + j + ": " + assignments.get(i).values());
            }
        }
    }
}

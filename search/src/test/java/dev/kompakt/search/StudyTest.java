package dev.kompakt.search;

import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.search.sampler.Sampler;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StudyTest {
    private static final SearchSpace SPACE = new SearchSpace(List.of(
            new Parameter.FloatParam("x", 0, 1),
            new Parameter.Categorical("mode", List.of("a", "b"))));
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size"));

    private static Study study() {
        return new Study("study", SPACE, OBJECTIVES, List.of(), new RandomSampler(1));
    }

    @Test
    void askCreatesRunningTrialsNumberedInOrder() {
        Clock clock = Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);
        Study study = new Study("study", SPACE, OBJECTIVES, List.of(), new RandomSampler(1), null, clock);
        Study.TrialRequest first = study.ask();
        Study.TrialRequest second = study.ask();
        assertEquals(0, first.number());
        assertEquals(1, second.number());
        Trial t = study.trial(0).orElseThrow();
        assertEquals(TrialState.RUNNING, t.state());
        assertEquals(first.assignment(), t.assignment());
        assertEquals(Instant.parse("2025-03-01T12:00:00Z"), t.started());
        assertNull(t.finished());
        assertEquals(2, study.count(TrialState.RUNNING));
        assertTrue(study.trial(2).isEmpty());
        assertTrue(study.trial(-1).isEmpty());
    }

    @Test
    void completeResultIsKept() {
        Study study = study();
        int n = study.ask().number();
        Trial done = study.tell(n, TrialResult.complete(Map.of("accuracy", 0.9, "size", 3.0, "extra", 1.0), "worker-1"));
        assertEquals(TrialState.COMPLETE, done.state());
        assertEquals(Map.of("accuracy", 0.9, "size", 3.0, "extra", 1.0), done.metrics());
        assertEquals("worker-1", done.worker());
        assertNull(done.error());
        assertEquals(done, study.trial(n).orElseThrow());
        assertEquals(1, study.count(TrialState.COMPLETE));
    }

    @Test
    void completeResultWithNaNObjectiveBecomesFailedNamingTheObjective() {
        Study study = study();
        int n = study.ask().number();
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("accuracy", 0.9);
        metrics.put("size", Double.NaN);
        metrics.put("latency", 4.0);
        Trial done = study.tell(n, TrialResult.complete(metrics, "w"));
        assertEquals(TrialState.FAILED, done.state());
        assertEquals("objective 'size' is NaN", done.error());
        assertEquals(Map.of("accuracy", 0.9, "latency", 4.0), done.metrics(), "only finite metrics are kept");
        assertEquals("w", done.worker());
        assertEquals(1, study.count(TrialState.FAILED));
    }

    @Test
    void completeResultWithMissingObjectiveBecomesFailedNamingTheObjective() {
        Study study = study();
        int n = study.ask().number();
        Trial done = study.tell(n, TrialResult.complete(Map.of("size", 2.0), "w"));
        assertEquals(TrialState.FAILED, done.state());
        assertEquals("objective 'accuracy' was not reported", done.error());
        assertEquals(Map.of("size", 2.0), done.metrics());
    }

    @Test
    void completeResultWithInfiniteObjectiveBecomesFailed() {
        Study study = study();
        int n = study.ask().number();
        Trial done = study.tell(n, TrialResult.complete(Map.of("accuracy", Double.NEGATIVE_INFINITY, "size", 2.0), "w"));
        assertEquals(TrialState.FAILED, done.state());
        assertTrue(done.error().contains("'accuracy'"), done.error());
    }

    @Test
    void stoppedAndFailedResultsAreRecordedAsGiven() {
        Study study = study();
        int a = study.ask().number();
        int b = study.ask().number();
        Trial stopped = study.tell(a, new TrialResult(TrialState.STOPPED, Map.of("accuracy", 0.5), null, "w"));
        assertEquals(TrialState.STOPPED, stopped.state());
        assertEquals(Map.of("accuracy", 0.5), stopped.metrics());
        Trial failed = study.tell(b, TrialResult.failed("java.lang.OutOfMemoryError: heap", "w"));
        assertEquals(TrialState.FAILED, failed.state());
        assertEquals("java.lang.OutOfMemoryError: heap", failed.error());
    }

    @Test
    void tellOnUnknownTrialThrows() {
        Study study = study();
        TrialResult result = TrialResult.complete(Map.of("accuracy", 1.0, "size", 1.0), "w");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> study.tell(0, result));
        assertTrue(none.getMessage().contains("no trial 0"), none.getMessage());
        study.ask();
        assertThrows(IllegalArgumentException.class, () -> study.tell(1, result));
        assertThrows(IllegalArgumentException.class, () -> study.tell(-1, result));
    }

    @Test
    void tellTwiceThrowsAndKeepsTheFirstResult() {
        Study study = study();
        int n = study.ask().number();
        study.tell(n, TrialResult.complete(Map.of("accuracy", 1.0, "size", 1.0), "w"));
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> study.tell(n, TrialResult.complete(Map.of("accuracy", 0.0, "size", 9.0), "w")));
        assertTrue(twice.getMessage().contains("already COMPLETE"), twice.getMessage());
        assertEquals(1.0, study.trial(n).orElseThrow().metric("accuracy"));
    }

    @Test
    void samplerProposingAnOutOfSpaceAssignmentMakesAskThrow() {
        Sampler outOfRange = ctx -> new Assignment(Map.of("x", 1.5, "mode", "a"));
        Study bad = new Study("bad", SPACE, OBJECTIVES, List.of(), outOfRange);
        IllegalStateException e = assertThrows(IllegalStateException.class, bad::ask);
        assertTrue(e.getMessage().contains("outside the search space"), e.getMessage());
        assertTrue(bad.trials().isEmpty(), "no trial is created for a rejected assignment");

        Sampler unknownChoice = ctx -> new Assignment(Map.of("x", 0.5, "mode", "c"));
        assertThrows(IllegalStateException.class, new Study("bad", SPACE, OBJECTIVES, List.of(), unknownChoice)::ask);
        Sampler missing = ctx -> new Assignment(Map.of("x", 0.5));
        assertThrows(IllegalStateException.class, new Study("bad", SPACE, OBJECTIVES, List.of(), missing)::ask);
        Sampler extra = ctx -> new Assignment(Map.of("x", 0.5, "mode", "a", "y", 1.0));
        assertThrows(IllegalStateException.class, new Study("bad", SPACE, OBJECTIVES, List.of(), extra)::ask);
        Sampler wrongType = ctx -> new Assignment(Map.of("x", 1, "mode", "a"));
        assertThrows(IllegalStateException.class, new Study("bad", SPACE, OBJECTIVES, List.of(), wrongType)::ask);
    }

    @Test
    void samplerSeesTheHistoryAndTheTrialNumber() {
        List<Sampler.Context> seen = new java.util.ArrayList<>();
        Sampler recording = ctx -> {
            seen.add(ctx);
            return new Assignment(Map.of("x", 0.25, "mode", "b"));
        };
        Study study = new Study("rec", SPACE, OBJECTIVES, List.of(new Constraint("latency", 3)), recording);
        study.tell(study.ask().number(), TrialResult.complete(Map.of("accuracy", 1.0, "size", 1.0), "w"));
        study.ask();
        study.ask();
        assertEquals(3, seen.size());
        assertEquals(2, seen.get(2).trialNumber());
        assertEquals(2, seen.get(2).trials().size());
        assertEquals(1, seen.get(2).completed().size());
        assertEquals(OBJECTIVES, seen.get(2).objectives());
        assertEquals(List.of(new Constraint("latency", 3)), seen.get(2).constraints());
    }

    @Test
    void constructorRejectsNoObjectivesAndRepeatedMetrics() {
        Sampler s = new RandomSampler(1);
        assertThrows(IllegalArgumentException.class, () -> new Study("s", SPACE, List.of(), List.of(), s));
        assertThrows(IllegalArgumentException.class,
                () -> new Study("s", SPACE, List.of(Objective.minimize("a"), Objective.maximize("a")), List.of(), s));
        assertThrows(NullPointerException.class, () -> new Study("s", SPACE, OBJECTIVES, List.of(), null));
    }

    @Test
    void restoreAppendsInOrderOnly() {
        Study study = study();
        Trial t0 = new Trial(0, TrialState.COMPLETE, new Assignment(Map.of("x", 0.5, "mode", "a")),
                Map.of("accuracy", 0.5, "size", 1.0), null, "w", Instant.EPOCH, Instant.EPOCH.plusSeconds(2));
        study.restore(t0);
        assertThrows(IllegalArgumentException.class, () -> study.restore(new Trial(2, TrialState.RUNNING,
                new Assignment(Map.of("x", 0.5, "mode", "a")), Map.of(), null, null, Instant.EPOCH, null)));
        assertEquals(1, study.ask().number(), "numbering continues after restored trials");
        assertEquals(2.0, study.trial(0).orElseThrow().durationSeconds(), 0.0);
    }

    @Test
    void trialResultValidation() {
        assertThrows(IllegalArgumentException.class, () -> new TrialResult(TrialState.RUNNING, Map.of(), null, "w"));
        assertThrows(IllegalArgumentException.class, () -> new TrialResult(TrialState.FAILED, Map.of(), " ", "w"));
        String described = TrialResult.describe(new RuntimeException("outer", new IllegalStateException("inner")));
        assertEquals("java.lang.RuntimeException: outer <- caused by java.lang.IllegalStateException: inner", described);
    }
}

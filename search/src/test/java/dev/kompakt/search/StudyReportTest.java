package dev.kompakt.search;

import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.search.stopping.EarlyStopper;
import dev.kompakt.search.stopping.NeverStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Intermediate values: Trial, Study.report / shouldStop, TrialResult.stopped, the "reported" journal event and its replay. */
class StudyReportTest {
    private static final SearchSpace SPACE = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1)));
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size"));
    private static final Assignment NO_PARAMS = new Assignment(Map.of());

    @TempDir
    Path dir;

    private static Study study(EarlyStopper stopper) {
        return new Study("report", SPACE, OBJECTIVES, List.of(new Constraint("latency", 5)), new RandomSampler(3), stopper, null, null);
    }

    @Test
    void eightArgumentTrialHasNoIntermediateValues() {
        Trial t = new Trial(0, TrialState.COMPLETE, NO_PARAMS, Map.of("a", 1.0), null, "w", Instant.EPOCH, Instant.EPOCH);
        assertTrue(t.intermediateValues().isEmpty());
        assertTrue(t.lastStep().isEmpty());
        assertEquals(Map.of(), t.lastReported());
        assertTrue(Trial.running(1, NO_PARAMS, Instant.EPOCH).intermediateValues().isEmpty());
        assertEquals(t, new Trial(0, TrialState.COMPLETE, NO_PARAMS, Map.of("a", 1.0), null, "w", Instant.EPOCH, Instant.EPOCH,
                new TreeMap<>()));
    }

    @Test
    void intermediateValuesAreSortedByStepAndImmutableCopies() {
        Map<Integer, Map<String, Double>> steps = new HashMap<>();
        Map<String, Double> atFive = new HashMap<>(Map.of("loss", 0.5));
        steps.put(5, atFive);
        steps.put(0, Map.of("loss", 2.0));
        steps.put(2, Map.of("loss", 1.0));
        Trial t = new Trial(0, TrialState.RUNNING, NO_PARAMS, Map.of(), null, null, Instant.EPOCH, null, new TreeMap<>(steps));
        atFive.put("loss", 99.0);
        steps.put(7, Map.of("loss", 0.1));
        assertEquals(List.of(0, 2, 5), new ArrayList<>(t.intermediateValues().keySet()));
        assertEquals(5, t.lastStep().getAsInt());
        assertEquals(Map.of("loss", 0.5), t.lastReported(), "the trial holds a copy");
        assertThrows(UnsupportedOperationException.class, () -> t.intermediateValues().put(9, Map.of()));
        assertThrows(UnsupportedOperationException.class, () -> t.intermediateValues().get(0).put("x", 1.0));
        assertThrows(UnsupportedOperationException.class, () -> t.intermediateValues().tailMap(1).clear());
    }

    @Test
    void negativeIntermediateStepIsRejected() {
        TreeMap<Integer, Map<String, Double>> steps = new TreeMap<>(Map.of(-1, Map.of("loss", 1.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trial(3, TrialState.RUNNING, NO_PARAMS, Map.of(), null, null, Instant.EPOCH, null, steps));
        assertTrue(e.getMessage().contains("trial 3") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void reportRecordsValuesByStepAndTellKeepsThem() {
        Study study = study(NeverStop.INSTANCE);
        int n = study.ask().number();
        Trial afterFirst = study.report(n, 0, Map.of("accuracy", 0.5, "size", 3.0));
        assertEquals(0, afterFirst.lastStep().getAsInt());
        study.report(n, 2, Map.of("accuracy", 0.7));
        Trial running = study.trial(n).orElseThrow();
        assertEquals(TrialState.RUNNING, running.state());
        assertEquals(Map.of(0, Map.of("accuracy", 0.5, "size", 3.0), 2, Map.of("accuracy", 0.7)), running.intermediateValues());

        Trial done = study.tell(n, TrialResult.complete(Map.of("accuracy", 0.8, "size", 3.0), "w"));
        assertEquals(TrialState.COMPLETE, done.state());
        assertEquals(running.intermediateValues(), done.intermediateValues());
        assertEquals(Map.of("accuracy", 0.8, "size", 3.0), done.metrics());

        int m = study.ask().number();
        study.report(m, 0, Map.of("accuracy", 0.1));
        Trial failed = study.tell(m, TrialResult.complete(Map.of("accuracy", 0.2), "w")); // size missing: FAILED
        assertEquals(TrialState.FAILED, failed.state());
        assertEquals(Map.of(0, Map.of("accuracy", 0.1)), failed.intermediateValues(), "a failed trial keeps its curve too");
    }

    @Test
    void reportRejectsStepsThatDoNotIncrease() {
        Study study = study(NeverStop.INSTANCE);
        int n = study.ask().number();
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> study.report(n, -1, Map.of("accuracy", 1.0)));
        assertTrue(negative.getMessage().contains("step -1"), negative.getMessage());
        study.report(n, 3, Map.of("accuracy", 0.5));
        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class, () -> study.report(n, 3, Map.of("accuracy", 0.6)));
        assertEquals("trial 0 reported step 3 after step 3; steps must increase", repeated.getMessage());
        IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class, () -> study.report(n, 1, Map.of("accuracy", 0.6)));
        assertEquals("trial 0 reported step 1 after step 3; steps must increase", backwards.getMessage());
        assertEquals(Map.of(3, Map.of("accuracy", 0.5)), study.trial(n).orElseThrow().intermediateValues(), "rejected reports change nothing");
    }

    @Test
    void reportRejectsUnknownAndFinishedTrialsAndNullValues() {
        Study study = study(NeverStop.INSTANCE);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> study.report(0, 0, Map.of("accuracy", 1.0)));
        assertTrue(unknown.getMessage().contains("no trial 0"), unknown.getMessage());
        int n = study.ask().number();
        Map<String, Double> withNull = new HashMap<>();
        withNull.put("accuracy", null);
        IllegalArgumentException nullValue = assertThrows(IllegalArgumentException.class, () -> study.report(n, 0, withNull));
        assertTrue(nullValue.getMessage().contains("accuracy"), nullValue.getMessage());
        assertThrows(NullPointerException.class, () -> study.report(n, 0, null));
        study.tell(n, TrialResult.stopped(Map.of("accuracy", 0.1), "w"));
        IllegalStateException finished = assertThrows(IllegalStateException.class, () -> study.report(n, 0, Map.of("accuracy", 1.0)));
        assertEquals("trial 0 is STOPPED; only a RUNNING trial can report", finished.getMessage());
    }

    @Test
    void nanValuesAreReported() {
        Study study = study(NeverStop.INSTANCE);
        int n = study.ask().number();
        study.report(n, 0, Map.of("accuracy", Double.NaN));
        assertTrue(study.trial(n).orElseThrow().lastReported().get("accuracy").isNaN());
    }

    @Test
    void stoppedTrialsAreNeitherFailuresNorOnTheFront() {
        Study study = study(NeverStop.INSTANCE);
        int good = study.ask().number();
        study.tell(good, TrialResult.complete(Map.of("accuracy", 0.5, "size", 5.0, "latency", 1.0), "w"));
        int stopped = study.ask().number();
        study.report(stopped, 0, Map.of("accuracy", 0.99, "size", 0.1, "latency", 1.0));
        TrialResult result = TrialResult.stopped(study.trial(stopped).orElseThrow().lastReported(), "w");
        assertEquals(TrialState.STOPPED, result.state());
        assertNull(result.error());
        Trial t = study.tell(stopped, result);
        assertEquals(TrialState.STOPPED, t.state());
        assertEquals(Map.of("accuracy", 0.99, "size", 0.1, "latency", 1.0), t.metrics());
        assertEquals(1, study.count(TrialState.STOPPED));
        assertEquals(0, study.count(TrialState.FAILED));
        assertEquals(List.of(good), study.paretoFront().stream().map(Trial::number).toList(),
                "a stopped trial would dominate, but its values are partial");
    }

    @Test
    void shouldStopConsultsTheStopperWithTheLatestTrialAndTheStudy() {
        List<EarlyStopper.Context> seen = new ArrayList<>();
        EarlyStopper recording = ctx -> {
            seen.add(ctx);
            return ctx.trial().lastReported().get("accuracy") < 0.5;
        };
        Study study = study(recording);
        assertSame(recording, study.stopper());
        int a = study.ask().number();
        int b = study.ask().number();
        assertFalse(study.shouldStop(a), "nothing reported: nothing to judge");
        assertTrue(seen.isEmpty(), "the stopper is not asked about a trial without reports");
        study.report(a, 0, Map.of("accuracy", 0.9));
        study.report(b, 0, Map.of("accuracy", 0.1));
        assertFalse(study.shouldStop(a));
        assertTrue(study.shouldStop(b));
        assertTrue(study.trial(b).orElseThrow().state() == TrialState.RUNNING, "asking changes nothing");
        EarlyStopper.Context last = seen.get(1);
        assertEquals(study.trial(b).orElseThrow(), last.trial());
        assertEquals(study.trials(), last.trials());
        assertEquals(OBJECTIVES, last.objectives());
        assertEquals(List.of(new Constraint("latency", 5)), last.constraints());

        study.tell(b, TrialResult.stopped(Map.of("accuracy", 0.1), "w"));
        IllegalStateException finished = assertThrows(IllegalStateException.class, () -> study.shouldStop(b));
        assertTrue(finished.getMessage().contains("already STOPPED"), finished.getMessage());
        assertThrows(IllegalArgumentException.class, () -> study.shouldStop(7));
    }

    @Test
    void existingConstructorsNeverStop() {
        Study plain = new Study("s", SPACE, OBJECTIVES, List.of(), new RandomSampler(1));
        assertSame(NeverStop.INSTANCE, plain.stopper());
        int n = plain.ask().number();
        plain.report(n, 0, Map.of("accuracy", Double.NaN));
        assertFalse(plain.shouldStop(n));
        assertSame(NeverStop.INSTANCE, new Study("s", SPACE, OBJECTIVES, List.of(), new RandomSampler(1), null, null).stopper());
        assertThrows(NullPointerException.class, () -> new Study("s", SPACE, OBJECTIVES, List.of(), new RandomSampler(1), null, null, null));
    }

    @Test
    void reportedEventsAreJournaledAndReplayed() throws IOException {
        Path file = dir.resolve("reported.jsonl");
        Study study;
        try (TrialJournal journal = TrialJournal.open(file)) {
            study = new Study("report", SPACE, OBJECTIVES, List.of(), new RandomSampler(3), NeverStop.INSTANCE, journal, null);
            int a = study.ask().number();
            int b = study.ask().number();
            study.report(a, 0, Map.of("accuracy", 0.5, "size", 2.0));
            study.report(b, 1, Map.of("accuracy", Double.NaN));
            study.report(a, 1, Map.of("accuracy", 0.6, "size", 2.0));
            study.tell(a, TrialResult.stopped(Map.of("accuracy", 0.6, "size", 2.0), "w"));
            study.report(b, 4, Map.of("accuracy", 0.7, "size", 1.0));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(7, lines.size());
        assertTrue(lines.get(2).startsWith("{\"event\":\"reported\""), lines.get(2));
        List<JournalEvent> events = TrialJournal.read(file);
        JournalEvent.Reported r = assertInstanceOf(JournalEvent.Reported.class, events.get(2));
        assertEquals(0, r.trial());
        assertEquals(0, r.step());
        assertEquals(Map.of("accuracy", 0.5, "size", 2.0), r.values());
        Instant.parse(r.time());
        assertTrue(assertInstanceOf(JournalEvent.Reported.class, events.get(3)).values().get("accuracy").isNaN());

        List<Trial> replayed = TrialJournal.replay(events);
        assertEquals(2, replayed.size());
        assertEquals(study.trials().get(0), replayed.get(0));
        assertEquals(TrialState.STOPPED, replayed.get(0).state());
        assertEquals(List.of(1, 4), new ArrayList<>(replayed.get(1).intermediateValues().keySet()));
        assertEquals(TrialState.RUNNING, replayed.get(1).state(), "in flight when the journal ended");
        assertTrue(replayed.get(1).intermediateValues().get(1).get("accuracy").isNaN());
        assertEquals(study.trials().get(1).lastReported(), replayed.get(1).lastReported());
    }

    @Test
    void journalWithoutReportedEventsStillReplays() throws IOException {
        Path file = dir.resolve("old.jsonl");
        Files.write(file, List.of(
                "{\"event\":\"started\",\"study\":\"old\",\"specSha256\":\"ab\",\"seed\":1,\"time\":\"2025-01-01T00:00:00Z\"}",
                "{\"event\":\"asked\",\"trial\":0,\"params\":{\"x\":0.5},\"time\":\"2025-01-01T00:00:01Z\"}",
                "{\"event\":\"finished\",\"trial\":0,\"state\":\"COMPLETE\",\"metrics\":{\"accuracy\":0.9,\"size\":1.0},"
                        + "\"error\":null,\"worker\":\"w\",\"time\":\"2025-01-01T00:00:09Z\"}",
                "{\"event\":\"asked\",\"trial\":1,\"params\":{\"x\":0.25},\"time\":\"2025-01-01T00:00:10Z\"}"));
        List<Trial> trials = TrialJournal.replay(TrialJournal.read(file));
        assertEquals(2, trials.size());
        assertEquals(new Trial(0, TrialState.COMPLETE, new Assignment(Map.of("x", 0.5)), Map.of("accuracy", 0.9, "size", 1.0), null, "w",
                Instant.parse("2025-01-01T00:00:01Z"), Instant.parse("2025-01-01T00:00:09Z")), trials.get(0));
        assertTrue(trials.get(1).intermediateValues().isEmpty());
    }

    @Test
    void replayRejectsReportsAStudyCannotHaveWritten() {
        JournalEvent asked = new JournalEvent.Asked(0, Map.of("x", 0.5), "2025-01-01T00:00:00Z");
        JournalEvent.Reported step2 = new JournalEvent.Reported(0, 2, Map.of("accuracy", 0.5), "2025-01-01T00:00:01Z");
        IllegalArgumentException neverAsked = assertThrows(IllegalArgumentException.class, () -> TrialJournal.replay(List.of(step2)));
        assertTrue(neverAsked.getMessage().contains("never asked"), neverAsked.getMessage());
        IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class, () -> TrialJournal.replay(List.of(asked, step2,
                new JournalEvent.Reported(0, 1, Map.of("accuracy", 0.6), "2025-01-01T00:00:02Z"))));
        assertTrue(backwards.getMessage().contains("step 1") && backwards.getMessage().contains("after step 2"), backwards.getMessage());
        IllegalArgumentException afterFinish = assertThrows(IllegalArgumentException.class, () -> TrialJournal.replay(List.of(asked,
                new JournalEvent.Finished(0, TrialState.STOPPED, Map.of(), null, "w", "2025-01-01T00:00:02Z"), step2)));
        assertTrue(afterFinish.getMessage().contains("after it was STOPPED"), afterFinish.getMessage());
    }
}

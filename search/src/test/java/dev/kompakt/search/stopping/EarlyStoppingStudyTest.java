package dev.kompakt.search.stopping;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.pareto.Dominance;
import dev.kompakt.search.sampler.RandomSampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The early-stopping loop of the Study Javadoc run end to end, journaled, replayed and resumed. */
class EarlyStoppingStudyTest {
    private static final SearchSpace SPACE = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1),
            new Parameter.FloatParam("y", 0, 1)));
    private static final List<Objective> LOSS = List.of(Objective.minimize("loss"));
    private static final List<Objective> ACC_SIZE = List.of(Objective.maximize("accuracy"), Objective.minimize("size"));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static final int EPOCHS = 10;
    private static final int TRIALS = 24;

    /** loss(t) = 4 (x - 0.3)^2 + 1 / (t + 1): the final level depends on x, every curve falls the same way. */
    private static final BiFunction<Assignment, Integer, Map<String, Double>> LOSS_CURVE = (a, t) -> {
        double x = a.getDouble("x");
        return Map.of("loss", 4 * (x - 0.3) * (x - 0.3) + 1.0 / (t + 1));
    };

    /** Accuracy grows with x and with training; size grows with x: a trade-off, with y only adding noise-free harm. */
    private static final BiFunction<Assignment, Integer, Map<String, Double>> ACC_SIZE_CURVE = (a, t) -> {
        double x = a.getDouble("x");
        double y = a.getDouble("y");
        return Map.of("accuracy", (0.5 + 0.4 * x - 0.3 * y) * (1 - 0.5 / (t + 1)), "size", 1 + 9 * x);
    };

    @TempDir
    Path dir;

    /** Trains trial {@code n} from {@code fromStep}: report each step, stop when told to, else complete. */
    private static void train(Study study, int n, int fromStep, BiFunction<Assignment, Integer, Map<String, Double>> curve) {
        Assignment a = study.trial(n).orElseThrow().assignment();
        Map<String, Double> values = Map.of();
        for (int step = fromStep; step < EPOCHS; step++) {
            values = curve.apply(a, step);
            study.report(n, step, values);
            if (study.shouldStop(n)) {
                study.tell(n, TrialResult.stopped(values, "w"));
                return;
            }
        }
        study.tell(n, TrialResult.complete(values, "w"));
    }

    private static void runUpTo(Study study, int trials, BiFunction<Assignment, Integer, Map<String, Double>> curve) {
        while (study.trials().size() < trials) {
            train(study, study.ask().number(), 0, curve);
        }
    }

    private static Study ashaStudy(TrialJournal journal) {
        return new Study("asha", SPACE, LOSS, List.of(), new RandomSampler(7), new AshaStopper(LOSS.get(0), 1, 3, 0), journal, CLOCK);
    }

    private List<Trial> runAshaStudy(Path file) throws IOException {
        try (TrialJournal journal = TrialJournal.open(file)) {
            journal.append(new JournalEvent.Started("asha", "00", 7, CLOCK.instant().toString()));
            Study study = ashaStudy(journal);
            runUpTo(study, TRIALS, LOSS_CURVE);
            return study.trials();
        }
    }

    @Test
    void anAshaStudyStopsPoorTrialsAtRungsAndReplaysFromItsJournal() throws IOException {
        Path file = dir.resolve("asha.jsonl");
        List<Trial> trials = runAshaStudy(file);
        long stopped = trials.stream().filter(t -> t.state() == TrialState.STOPPED).count();
        long complete = trials.stream().filter(Trial::isComplete).count();
        assertTrue(stopped >= TRIALS / 2, "most trials stop early: " + stopped);
        assertTrue(complete >= 2, "some run to the end: " + complete);
        assertEquals(TRIALS, stopped + complete, "nothing failed");
        for (Trial t : trials) {
            assertEquals(t.lastReported(), t.metrics(), "trial " + t.number() + " ends with its last reported values");
            int last = t.lastStep().getAsInt();
            assertEquals(last + 1, t.intermediateValues().size(), "one report per epoch until the end");
            if (t.state() == TrialState.STOPPED) {
                assertTrue(Set.of(1, 3, 9).contains(last), "stopped at a rung, not at step " + last);
            } else {
                assertEquals(EPOCHS - 1, last);
            }
        }
        double bestX = trials.stream().min(java.util.Comparator.comparingDouble(t -> Math.abs(t.assignment().getDouble("x") - 0.3)))
                .orElseThrow().assignment().getDouble("x");
        assertTrue(trials.stream().anyMatch(t -> t.isComplete() && t.assignment().getDouble("x") == bestX),
                "the trial closest to the optimum is never stopped");

        List<JournalEvent> events = TrialJournal.read(file);
        long reported = events.stream().filter(e -> e instanceof JournalEvent.Reported).count();
        assertEquals(trials.stream().mapToInt(t -> t.intermediateValues().size()).sum(), reported);
        assertEquals(trials, TrialJournal.replay(events), "replay rebuilds every trial, intermediate values included");

        List<Trial> again = runAshaStudy(dir.resolve("again.jsonl"));
        assertEquals(trials, again, "the same study runs the same way");
    }

    @Test
    void aTruncatedLastLineLosesOnlyThatEvent() throws IOException {
        Path file = dir.resolve("truncated.jsonl");
        List<Trial> trials = runAshaStudy(file);
        String cut = new ObjectMapper().writeValueAsString(new JournalEvent.Reported(TRIALS, 0, Map.of("loss", 0.5), "t"));
        Files.writeString(file, cut.substring(0, cut.length() / 2), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(trials, TrialJournal.replay(TrialJournal.read(file)));
    }

    @Test
    void resumingAfterAKillMidTrialEndsWithTheSameTrials() throws IOException {
        Path original = dir.resolve("original.jsonl");
        List<Trial> trials = runAshaStudy(original);
        // kill while trial k trains: after its report of step 4, in the middle of writing the report of step 5
        int k = trials.stream().filter(Trial::isComplete).mapToInt(Trial::number).filter(n -> n > 0).findFirst().orElseThrow();
        List<String> lines = Files.readAllLines(original);
        int cutAfter = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"event\":\"reported\",\"trial\":" + k + ",\"step\":4,")) {
                cutAfter = i;
            }
        }
        assertTrue(cutAfter > 0, "the journal has trial " + k + "'s report of step 4");
        Path killed = dir.resolve("killed.jsonl");
        Files.write(killed, lines.subList(0, cutAfter + 1));
        Files.writeString(killed, lines.get(cutAfter + 1).substring(0, 20), StandardOpenOption.APPEND);

        List<Trial> recorded = TrialJournal.replay(TrialJournal.read(killed));
        assertEquals(k + 1, recorded.size());
        Trial inFlight = recorded.get(k);
        assertEquals(TrialState.RUNNING, inFlight.state());
        assertEquals(4, inFlight.lastStep().getAsInt());
        assertEquals(trials.get(k).intermediateValues().headMap(5), inFlight.intermediateValues());
        assertEquals(trials.subList(0, k), recorded.subList(0, k));

        try (TrialJournal journal = TrialJournal.open(killed)) {
            Study resumed = ashaStudy(journal);
            recorded.forEach(resumed::restore);
            train(resumed, k, inFlight.lastStep().getAsInt() + 1, LOSS_CURVE);
            runUpTo(resumed, TRIALS, LOSS_CURVE);
            assertEquals(trials, resumed.trials(), "the resumed study makes the same decisions");
        }
        assertEquals(trials, TrialJournal.replay(TrialJournal.read(killed)));
    }

    @Test
    void aMultiObjectiveAshaStudyStopsDominatedTrialsOnly() throws IOException {
        Path file = dir.resolve("mo.jsonl");
        List<Trial> trials;
        try (TrialJournal journal = TrialJournal.open(file)) {
            Study study = new Study("mo", SPACE, ACC_SIZE, List.of(), new RandomSampler(3), new MultiObjectiveAshaStopper(1, 3, 0),
                    journal, CLOCK);
            runUpTo(study, TRIALS, ACC_SIZE_CURVE);
            trials = study.trials();
            assertTrue(study.count(TrialState.STOPPED) >= TRIALS / 2, "stopped: " + study.count(TrialState.STOPPED));
            assertEquals(0, study.count(TrialState.FAILED));
            assertTrue(study.paretoFront().size() >= 2, "a front of trade-offs survives: " + study.paretoFront());
            assertTrue(study.paretoFront().stream().allMatch(Trial::isComplete));
        }
        // a stopped trial met, at the rung where it stopped, some earlier trial it did not dominate
        for (Trial t : trials) {
            if (t.state() != TrialState.STOPPED) {
                continue;
            }
            int step = t.lastStep().getAsInt();
            double[] mine = vector(t.lastReported());
            List<double[]> rivals = trials.subList(0, t.number()).stream().map(o -> Rungs.valuesAt(o, step)).filter(v -> v != null)
                    .map(EarlyStoppingStudyTest::vector).toList();
            assertTrue(rivals.stream().anyMatch(r -> !Dominance.dominates(mine, r)),
                    "trial " + t.number() + " dominated every trial at step " + step + " yet was stopped");
        }
        assertEquals(trials, TrialJournal.replay(TrialJournal.read(file)));
    }

    private static double[] vector(Map<String, Double> values) {
        return new double[] {-values.get("accuracy"), values.get("size")};
    }

    @Test
    void aHyperbandStudyStopsTrialsAtTheRungsOfTheirBrackets() {
        HyperbandStopper hyperband = new HyperbandStopper(LOSS.get(0), 1, EPOCHS - 1, 3); // brackets judging from steps 1, 3, 9
        Study study = new Study("hyperband", SPACE, LOSS, List.of(), new RandomSampler(9), hyperband, null, CLOCK);
        runUpTo(study, 40, LOSS_CURVE);
        assertTrue(study.count(TrialState.STOPPED) > 0 && study.count(TrialState.COMPLETE) > 0);
        for (Trial t : study.trials()) {
            if (t.state() == TrialState.STOPPED) {
                AshaStopper bracket = hyperband.brackets().get(hyperband.bracketOf(t.number()));
                long last = t.lastStep().getAsInt();
                assertTrue(last == bracket.rungStep(0) || last == bracket.rungStep(1) || last == bracket.rungStep(2),
                        "trial " + t.number() + " stopped at step " + last + ", not at a rung of bracket " + bracket);
            }
        }
    }

    @Test
    void aMedianStudyStopsTrialsBelowTheMedianCurve() {
        Study study = new Study("median", SPACE, LOSS, List.of(), new RandomSampler(5), new MedianStopper(LOSS.get(0), 2, 3), null, CLOCK);
        runUpTo(study, TRIALS, LOSS_CURVE);
        List<Trial> trials = study.trials();
        assertTrue(study.count(TrialState.STOPPED) > 0 && study.count(TrialState.COMPLETE) > 0, trials.toString());
        for (Trial t : trials) {
            if (t.state() == TrialState.STOPPED) {
                assertTrue(t.lastStep().getAsInt() >= 2, "not stopped during warm-up");
            }
        }
        // the first three trials never meet three others at a step, so they run to the end
        assertTrue(trials.subList(0, 3).stream().allMatch(Trial::isComplete));
    }
}

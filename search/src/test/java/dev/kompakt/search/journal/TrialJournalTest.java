package dev.kompakt.search.journal;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
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
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrialJournalTest {
    private static final SearchSpace SPACE = new SearchSpace(List.of(
            new Parameter.FloatParam("amount", 0.0, 0.9),
            new Parameter.IntParam("bits", 2, 8, false, 2, Optional.empty()),
            new Parameter.Categorical("method", List.of("magnitude", 3, true, 0.5)),
            new Parameter.Categorical("finetune", List.of(true, false)),
            new Parameter.IntParam("epochs", 1, 5, false, 1, Optional.of(new Parameter.Condition("finetune", List.of(true))))));
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size"));

    @TempDir
    Path dir;

    /** A clock that moves one second forward at every reading. */
    private static final class TickingClock extends Clock {
        private Instant now = Instant.parse("2025-05-01T08:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            Instant t = now;
            now = now.plusSeconds(1);
            return t;
        }
    }

    /** Writes a journal through a study and returns the events it should contain. */
    private List<JournalEvent> writeStudy(Path file) throws IOException {
        List<JournalEvent> expected = new ArrayList<>();
        try (TrialJournal journal = TrialJournal.open(file)) {
            assertEquals(file, journal.path());
            JournalEvent.Started started = new JournalEvent.Started("journal-test", "ab12", 42L, "2025-05-01T07:59:59Z");
            journal.append(started);
            expected.add(started);
            Study study = new Study("journal-test", SPACE, OBJECTIVES, List.of(new Constraint("latency", 5.0)),
                    new RandomSampler(42), journal, new TickingClock());
            for (int i = 0; i < 6; i++) {
                Study.TrialRequest r = study.ask();
                Trial running = study.trial(r.number()).orElseThrow();
                expected.add(new JournalEvent.Asked(r.number(), r.assignment().values(), running.started().toString()));
                TrialResult result = switch (i) {
                    case 1 -> TrialResult.failed("java.lang.IllegalStateException: diverged <- caused by x: y", "worker-2");
                    case 2 -> new TrialResult(TrialState.STOPPED, Map.of("accuracy", 0.5), null, "worker-1");
                    case 3 -> TrialResult.complete(Map.of("accuracy", 0.91), "worker-1"); // missing objective: FAILED
                    default -> TrialResult.complete(Map.of("accuracy", 0.9 - i / 100.0, "size", 1.5 * i, "latency", 3.25), "worker-1");
                };
                Trial done = study.tell(r.number(), result);
                expected.add(new JournalEvent.Finished(done.number(), done.state(), done.metrics(), done.error(), done.worker(),
                        done.finished().toString()));
            }
            assertEquals(1, study.count(TrialState.STOPPED));
            assertEquals(2, study.count(TrialState.FAILED));
            assertEquals(3, study.count(TrialState.COMPLETE));
        }
        return expected;
    }

    @Test
    void eventsWrittenByAStudyReadBackEqual() throws IOException {
        Path file = dir.resolve("sub/dir/journal.jsonl");
        List<JournalEvent> expected = writeStudy(file);
        List<JournalEvent> read = TrialJournal.read(file);
        assertEquals(expected, read);
        assertEquals(13, read.size());

        // spot checks on the field types that the JSON round trip must keep
        JournalEvent.Asked firstAsked = assertInstanceOf(JournalEvent.Asked.class, read.get(1));
        assertEquals(0, firstAsked.trial());
        assertInstanceOf(Double.class, firstAsked.params().get("amount"));
        assertInstanceOf(Integer.class, firstAsked.params().get("bits"));
        assertInstanceOf(Boolean.class, firstAsked.params().get("finetune"));
        assertEquals(firstAsked.params().get("finetune"), firstAsked.params().containsKey("epochs"));
        assertTrue(SPACE.contains(new Assignment(firstAsked.params())), "params read back still lie in the space");
        assertEquals("2025-05-01T08:00:00Z", firstAsked.time());

        JournalEvent.Finished failed = assertInstanceOf(JournalEvent.Finished.class, read.get(4));
        assertEquals(1, failed.trial());
        assertEquals(TrialState.FAILED, failed.state());
        assertEquals("java.lang.IllegalStateException: diverged <- caused by x: y", failed.error());
        assertEquals("worker-2", failed.worker());

        JournalEvent.Finished missing = assertInstanceOf(JournalEvent.Finished.class, read.get(8));
        assertEquals(3, missing.trial());
        assertEquals(TrialState.FAILED, missing.state());
        assertEquals("objective 'size' was not reported", missing.error());
        assertEquals(Map.of("accuracy", 0.91), missing.metrics());

        JournalEvent.Finished complete = assertInstanceOf(JournalEvent.Finished.class, read.get(12));
        assertEquals(5, complete.trial());
        assertEquals(TrialState.COMPLETE, complete.state());
        assertEquals(Map.of("accuracy", 0.9 - 5 / 100.0, "size", 7.5, "latency", 3.25), complete.metrics());
        assertEquals(null, complete.error());

        JournalEvent.Started started = assertInstanceOf(JournalEvent.Started.class, read.get(0));
        assertEquals(42L, started.seed());

        // each event is one line with an explicit type name
        List<String> lines = Files.readAllLines(file);
        assertEquals(13, lines.size());
        assertTrue(lines.get(0).contains("\"event\":\"started\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"event\":\"asked\""), lines.get(1));
        assertTrue(lines.get(2).contains("\"event\":\"finished\""), lines.get(2));
    }

    @Test
    void categoricalChoicesKeepTheirTypeThroughTheJournal() throws IOException {
        Path file = dir.resolve("types.jsonl");
        List<Map<String, Object>> params = List.of(
                Map.of("amount", 0.0, "bits", 2, "method", "magnitude", "finetune", false),
                Map.of("amount", 0.9, "bits", 8, "method", 3, "finetune", true, "epochs", 5),
                Map.of("amount", 1e-7, "bits", 4, "method", true, "finetune", false),
                Map.of("amount", 0.1, "bits", 6, "method", 0.5, "finetune", false));
        try (TrialJournal journal = TrialJournal.open(file)) {
            for (int i = 0; i < params.size(); i++) {
                journal.append(new JournalEvent.Asked(i, params.get(i), "t"));
            }
        }
        List<JournalEvent> read = TrialJournal.read(file);
        for (int i = 0; i < params.size(); i++) {
            JournalEvent.Asked asked = assertInstanceOf(JournalEvent.Asked.class, read.get(i));
            assertEquals(params.get(i), asked.params());
            assertTrue(SPACE.contains(new Assignment(asked.params())), asked.params().toString());
            assertEquals(SPACE.parameter("method").toUnit(params.get(i).get("method")),
                    SPACE.parameter("method").toUnit(asked.params().get("method")), 0.0);
        }
    }

    @Test
    void nonFiniteNonObjectiveMetricSurvivesTheRoundTrip() throws IOException {
        Path file = dir.resolve("nan.jsonl");
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("accuracy", 0.5);
        metrics.put("size", 1.0);
        metrics.put("latency", Double.NaN);
        metrics.put("memory", Double.POSITIVE_INFINITY);
        try (TrialJournal journal = TrialJournal.open(file)) {
            journal.append(new JournalEvent.Finished(0, TrialState.COMPLETE, metrics, null, "w", "t"));
        }
        JournalEvent.Finished f = assertInstanceOf(JournalEvent.Finished.class, TrialJournal.read(file).get(0));
        assertEquals(0.5, f.metrics().get("accuracy"));
        assertTrue(f.metrics().get("latency").isNaN());
        assertEquals(Double.POSITIVE_INFINITY, f.metrics().get("memory"));
    }

    @Test
    void openAppendsToAnExistingJournal() throws IOException {
        Path file = dir.resolve("append.jsonl");
        List<JournalEvent> expected = new ArrayList<>(writeStudy(file));
        JournalEvent.Asked more = new JournalEvent.Asked(6, Map.of("amount", 0.5, "bits", 4, "method", 3, "finetune", false), "t");
        try (TrialJournal journal = TrialJournal.open(file)) {
            journal.append(more);
        }
        expected.add(more);
        assertEquals(expected, TrialJournal.read(file));
    }

    @Test
    void truncatedLastLineIsSkipped() throws IOException {
        Path file = dir.resolve("truncated.jsonl");
        List<JournalEvent> expected = writeStudy(file);
        String lastLine = TrialJournal.JSON.writeValueAsString(
                new JournalEvent.Finished(6, TrialState.COMPLETE, Map.of("accuracy", 0.9, "size", 1.0), null, "w", "t"));
        Files.writeString(file, lastLine.substring(0, lastLine.length() / 2), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(expected, TrialJournal.read(file));
    }

    @Test
    void truncatedLastLineCutInsideAMultiByteCharacterIsSkipped() throws IOException {
        Path file = dir.resolve("truncated-utf8.jsonl");
        List<JournalEvent> expected = writeStudy(file);
        byte[] line = TrialJournal.JSON.writeValueAsString(
                new JournalEvent.Finished(6, TrialState.FAILED, Map.of(), "déjà vu: ÿ", "w", "t")).getBytes(StandardCharsets.UTF_8);
        int cut = new String(line, StandardCharsets.ISO_8859_1).indexOf('\u00c3') + 1; // after the first byte of "é"
        assertTrue(cut > 0);
        Files.write(file, java.util.Arrays.copyOf(line, cut), StandardOpenOption.APPEND);
        assertEquals(expected, TrialJournal.read(file));
    }

    @Test
    void appendingAfterATruncatedLastLineKeepsTheJournalReadable() throws IOException {
        Path file = dir.resolve("resumed.jsonl");
        List<JournalEvent> expected = new ArrayList<>(writeStudy(file));
        String cut = TrialJournal.JSON.writeValueAsString(new JournalEvent.Asked(6, Map.of("amount", 0.5), "t"));
        Files.writeString(file, cut.substring(0, cut.length() - 7), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        // a resumed study opens the journal again and goes on appending
        JournalEvent.Asked next = new JournalEvent.Asked(6, Map.of("amount", 0.25, "bits", 2, "method", true, "finetune", false), "t2");
        try (TrialJournal journal = TrialJournal.open(file)) {
            journal.append(next);
        }
        expected.add(next);
        assertEquals(expected, TrialJournal.read(file));
    }

    @Test
    void appendingAfterACompleteLastEventWithoutNewlineKeepsBoth() throws IOException {
        Path file = dir.resolve("no-newline.jsonl");
        List<JournalEvent> expected = new ArrayList<>(writeStudy(file));
        byte[] bytes = Files.readAllBytes(file);
        assertEquals('\n', bytes[bytes.length - 1]);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertEquals(expected, TrialJournal.read(file), "a complete last event without its newline still reads");
        JournalEvent.Asked next = new JournalEvent.Asked(6, Map.of("amount", 0.75, "bits", 8, "method", "magnitude", "finetune", false), "t3");
        try (TrialJournal journal = TrialJournal.open(file)) {
            journal.append(next);
        }
        expected.add(next);
        assertEquals(expected, TrialJournal.read(file));
    }

    @Test
    void blankLinesAreIgnored() throws IOException {
        Path file = dir.resolve("blank.jsonl");
        List<JournalEvent> expected = writeStudy(file);
        Files.writeString(file, "\n   \n", StandardOpenOption.APPEND);
        assertEquals(expected, TrialJournal.read(file));
    }

    @Test
    void corruptLineInTheMiddleIsAnErrorNamingFileAndLine() throws IOException {
        Path file = dir.resolve("corrupt.jsonl");
        writeStudy(file);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(4, lines.get(4).substring(0, 10));
        Files.write(file, lines);
        IOException e = assertThrows(IOException.class, () -> TrialJournal.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 5"), e.getMessage());
    }

    @Test
    void unknownEventTypeInTheMiddleIsAnError() throws IOException {
        Path file = dir.resolve("unknown.jsonl");
        writeStudy(file);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(2, "{\"event\":\"renamed\",\"trial\":0}");
        Files.write(file, lines);
        IOException e = assertThrows(IOException.class, () -> TrialJournal.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void readingAMissingFileFails() {
        assertThrows(IOException.class, () -> TrialJournal.read(dir.resolve("absent.jsonl")));
    }
    /** The lines of a journal written by a study, to edit by hand. */
    private List<String> studyLines(Path file) throws IOException {
        writeStudy(file);
        return new ArrayList<>(Files.readAllLines(file));
    }

    /** Replays {@code file} with {@link TrialJournal#load} and returns the message of the error it must raise. */
    private static String refused(Path file) {
        IOException e = assertThrows(IOException.class, () -> TrialJournal.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        return e.getMessage();
    }

    /** Appends lines as a journal would (each with a checksum that follows from the lines before): a "forger" who knows the format. */
    private static void appendChained(Path file, JournalEvent... events) throws IOException {
        try (TrialJournal journal = TrialJournal.open(file)) {
            for (JournalEvent e : events) {
                journal.append(e);
            }
        }
    }

    @Test
    void everyLineCarriesAChecksumAndLoadReplaysWithLineNumbers() throws IOException {
        Path file = dir.resolve("checked.jsonl");
        List<JournalEvent> expected = writeStudy(file);
        for (String line : Files.readAllLines(file)) {
            assertTrue(line.matches(".*,\"h\":\"[0-9a-f]{16}\"}"), line);
        }
        TrialJournal.Loaded loaded = TrialJournal.load(file);
        assertEquals(expected, loaded.events());
        assertEquals(13, loaded.lines().get(12));
        assertEquals(TrialJournal.replay(expected), loaded.trials());
    }

    @Test
    void aSecondFinishedForAFinishedTrialIsRefusedWithItsLine() throws IOException {
        Path file = dir.resolve("second-finished.jsonl");
        writeStudy(file);
        // trial 1 FAILED at line 5; a forged COMPLETE result with invented metrics, even with a valid checksum
        appendChained(file, new JournalEvent.Finished(1, TrialState.COMPLETE, Map.of("accuracy", 0.99, "size", 0.1), null, "w", "t"));
        String message = refused(file);
        assertTrue(message.contains("line 14") && message.contains("second result for trial 1") && message.contains("line 5"), message);
    }

    @Test
    void aSecondStartedIsRefusedWithItsLine() throws IOException {
        Path file = dir.resolve("second-started.jsonl");
        writeStudy(file);
        appendChained(file, new JournalEvent.Started("journal-test", "ab12", 42L, "t"));
        String message = refused(file);
        assertTrue(message.contains("line 14") && message.contains("second 'started'"), message);
    }

    @Test
    void aResultForATrialNeverAskedIsRefusedWithItsLine() throws IOException {
        Path file = dir.resolve("never-asked.jsonl");
        writeStudy(file);
        appendChained(file, new JournalEvent.Finished(9, TrialState.COMPLETE, Map.of("accuracy", 0.99, "size", 0.1), null, "w", "t"));
        String message = refused(file);
        assertTrue(message.contains("line 14") && message.contains("trial 9, which was never asked"), message);
    }

    @Test
    void anAskOutOfSequenceIsRefusedWithItsLine() throws IOException {
        Path file = dir.resolve("out-of-order.jsonl");
        writeStudy(file);
        appendChained(file, new JournalEvent.Asked(8, Map.of("amount", 0.5), "t"));
        String message = refused(file);
        assertTrue(message.contains("line 14") && message.contains("asks trial 8 but 6 was expected"), message);
    }

    @Test
    void aResultAfterInterruptedIsTheRerunAndAccepted() throws IOException {
        Path file = dir.resolve("interrupted.jsonl");
        writeStudy(file);
        Map<String, Object> params = Map.of("amount", 0.5, "bits", 4, "method", 3, "finetune", false);
        appendChained(file, new JournalEvent.Asked(6, params, "2025-05-01T09:00:00Z"),
                new JournalEvent.Finished(6, TrialState.INTERRUPTED, Map.of(), "executor lost", "w", "2025-05-01T09:00:01Z"),
                new JournalEvent.Finished(6, TrialState.COMPLETE, Map.of("accuracy", 0.8, "size", 2.0), null, "w", "2025-05-01T09:00:02Z"));
        Trial rerun = TrialJournal.load(file).trials().get(6);
        assertEquals(TrialState.COMPLETE, rerun.state());
        appendChained(file, new JournalEvent.Finished(6, TrialState.COMPLETE, Map.of("accuracy", 0.9, "size", 1.0), null, "w",
                "2025-05-01T09:00:03Z"));
        assertTrue(refused(file).contains("line 17"));
    }

    @Test
    void anEditedLineFailsItsChecksum() throws IOException {
        Path file = dir.resolve("edited.jsonl");
        List<String> lines = studyLines(file);
        assertTrue(lines.get(12).contains("\"size\":7.5"), lines.get(12));
        lines.set(12, lines.get(12).replace("\"size\":7.5", "\"size\":0.5"));
        Files.write(file, lines);
        String message = refused(file);
        assertTrue(message.contains("line 13") && message.contains("checksum"), message);
        IOException onRead = assertThrows(IOException.class, () -> TrialJournal.read(file));
        assertTrue(onRead.getMessage().contains("line 13"), onRead.getMessage());
        assertThrows(IOException.class, () -> TrialJournal.open(file), "nothing is appended to a damaged journal");
    }

    @Test
    void aDuplicatedOrDeletedLineBreaksTheChain() throws IOException {
        Path file = dir.resolve("duplicated.jsonl");
        List<String> lines = studyLines(file);
        List<String> duplicated = new ArrayList<>(lines);
        duplicated.add(5, lines.get(4)); // trial 1's FAILED result, copied with its checksum
        Files.write(file, duplicated);
        assertTrue(refused(file).contains("line 6"));
        List<String> deleted = new ArrayList<>(lines);
        deleted.remove(4); // trial 1's FAILED result: it would be re-run as if in flight
        Files.write(file, deleted);
        assertTrue(refused(file).contains("line 5"));
    }

    @Test
    void aLineWithoutChecksumAfterCheckedLinesIsRefused() throws IOException {
        Path file = dir.resolve("pasted.jsonl");
        writeStudy(file);
        Files.writeString(file, TrialJournal.JSON.writeValueAsString(new JournalEvent.Finished(1, TrialState.COMPLETE,
                Map.of("accuracy", 0.99, "size", 0.1), null, "w", "t")) + "\n", StandardOpenOption.APPEND);
        String message = refused(file);
        assertTrue(message.contains("line 14") && message.contains("no checksum"), message);
    }

    @Test
    void aJournalWithoutChecksumsIsReadUncheckedAndResumedWithChecksums() throws IOException {
        Path file = dir.resolve("legacy.jsonl");
        List<JournalEvent> expected = new ArrayList<>(writeStudy(file));
        List<String> legacy = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            legacy.add(line.replaceAll(",\"h\":\"[0-9a-f]{16}\"}$", "}"));
        }
        Files.write(file, legacy);
        assertEquals(expected, TrialJournal.read(file));
        JournalEvent.Asked next = new JournalEvent.Asked(6, Map.of("amount", 0.5, "bits", 4, "method", 3, "finetune", false), "t");
        appendChained(file, next);
        expected.add(next);
        assertEquals(expected, TrialJournal.read(file));
        // the new line's checksum covers the unchecked lines before it
        List<String> edited = new ArrayList<>(Files.readAllLines(file));
        edited.set(12, edited.get(12).replace("\"size\":7.5", "\"size\":0.5"));
        Files.write(file, edited);
        assertTrue(refused(file).contains("line 14"));
    }

    @Test
    void aTornLastLineIsStillSkippedAndTheChainGoesOn() throws IOException {
        Path file = dir.resolve("torn-chain.jsonl");
        List<JournalEvent> expected = new ArrayList<>(writeStudy(file));
        Files.writeString(file, "{\"event\":\"asked\",\"trial\":6,\"par", StandardOpenOption.APPEND);
        JournalEvent.Asked next = new JournalEvent.Asked(6, Map.of("amount", 0.5, "bits", 4, "method", 3, "finetune", false),
                "2025-05-01T09:00:00Z");
        appendChained(file, next);
        expected.add(next);
        assertEquals(expected, TrialJournal.load(file).events());
    }
}

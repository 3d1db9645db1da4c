package dev.kompakt.search.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Append-only JSON-lines journal of a study: one {@link JournalEvent} per line, each line flushed to the
 * operating system before {@link #append} returns, so killing the process loses at most the line being
 * written. Thread-safe.
 */
public final class TrialJournal implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TrialJournal.class);
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path path;
    private final BufferedWriter out;

    private TrialJournal(Path path, BufferedWriter out) {
        this.path = path;
        this.out = out;
    }

    /**
     * Opens a journal for appending, creating the file if needed. A last line cut short by a crash (no final
     * newline, not a parseable event) is dropped first, so that new events do not get glued onto it.
     */
    public static TrialJournal open(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        repairTail(path);
        BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new TrialJournal(path, out);
    }

    public Path path() {
        return path;
    }

    public synchronized void append(JournalEvent event) {
        try {
            out.write(JSON.writeValueAsString(event));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to journal " + path, e);
        }
    }

    private static void repairTail(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length == 0 || bytes[bytes.length - 1] == '\n') {
            return;
        }
        int start = bytes.length;
        while (start > 0 && bytes[start - 1] != '\n') {
            start--;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            try {
                JSON.readValue(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8), JournalEvent.class);
                channel.write(ByteBuffer.wrap(new byte[]{'\n'}), bytes.length); // complete event, only its newline missing
            } catch (JsonProcessingException e) {
                LOG.warn("{}: dropping truncated last line before appending ({})", path, e.getOriginalMessage());
                channel.truncate(start);
            }
        }
    }

    /**
     * Reads every event. A last line that does not parse (a write cut short by a crash) is skipped with a
     * warning; a bad line anywhere else is an error naming the file and line.
     */
    public static List<JournalEvent> read(Path path) throws IOException {
        // Decoded leniently (malformed bytes become U+FFFD): a write cut inside a multi-byte character must only
        // spoil its own line, not make the whole file unreadable as Files.readAllLines would.
        List<String> lines = new String(Files.readAllBytes(path), StandardCharsets.UTF_8).lines().toList();
        List<JournalEvent> events = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(JSON.readValue(line, JournalEvent.class));
            } catch (JsonProcessingException e) {
                if (i == lines.size() - 1) {
                    LOG.warn("{}: ignoring truncated last line {} ({})", path, i + 1, e.getOriginalMessage());
                } else {
                    throw new IOException(path + ": line " + (i + 1) + " is not a journal event: " + e.getOriginalMessage(), e);
                }
            }
        }
        return events;
    }

    /**
     * Rebuilds the trials a journal describes, in trial-number order, with the intermediate values they
     * reported: asked trials without a finished event are RUNNING (they were in flight when the process stopped).
     * An event about a trial that was never asked, a report for a finished trial, or a report whose step does
     * not come after the trial's last one cannot have been written by a {@link Study} and is an error.
     */
    public static List<Trial> replay(List<JournalEvent> events) {
        List<Trial> trials = new ArrayList<>();
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.Asked a) {
                if (a.trial() != trials.size()) {
                    throw new IllegalArgumentException("journal asks trial " + a.trial() + " but " + trials.size() + " was expected next");
                }
                trials.add(Trial.running(a.trial(), new Assignment(a.params()), java.time.Instant.parse(a.time())));
            } else if (e instanceof JournalEvent.Reported r) {
                if (r.trial() < 0 || r.trial() >= trials.size()) {
                    throw new IllegalArgumentException("journal reports for trial " + r.trial() + ", which was never asked");
                }
                Trial t = trials.get(r.trial());
                if (t.state() != TrialState.RUNNING) {
                    throw new IllegalArgumentException("journal reports step " + r.step() + " for trial " + r.trial()
                            + " after it was " + t.state());
                }
                if (r.step() < 0 || t.lastStep().isPresent() && r.step() <= t.lastStep().getAsInt()) {
                    throw new IllegalArgumentException("journal reports step " + r.step() + " for trial " + r.trial()
                            + " after step " + t.lastStep().orElse(-1) + "; steps must be >= 0 and increase");
                }
                trials.set(r.trial(), t.withIntermediate(r.step(), r.values()));
            } else if (e instanceof JournalEvent.Finished f) {
                if (f.trial() < 0 || f.trial() >= trials.size()) {
                    throw new IllegalArgumentException("journal finishes trial " + f.trial() + ", which was never asked");
                }
                Trial r = trials.get(f.trial());
                trials.set(f.trial(), new Trial(r.number(), f.state(), r.assignment(), f.metrics(), f.error(), f.worker(), r.started(),
                        java.time.Instant.parse(f.time()), r.intermediateValues()));
            }
        }
        return trials;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}

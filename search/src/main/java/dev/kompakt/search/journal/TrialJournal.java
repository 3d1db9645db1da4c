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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Append-only JSON-lines journal of a study: one {@link JournalEvent} per line, each line flushed to the
 * operating system before {@link #append} returns, so killing the process loses at most the line being
 * written. Thread-safe.
 *
 * <p><b>Checksums.</b> Every line ends with a field {@code "h"}: a running hash, the first 16 hex digits (64 bits) of
 * SHA-256 over the previous line's hash and this line's text up to the field, so that line {@code n}'s hash covers
 * every line before it. A running hash rather than a per-line CRC because a per-line checksum only says that a line is
 * intact in itself: a deleted, duplicated, reordered or pasted-in line (a second {@code finished} copied from another
 * line) keeps valid checksums, while in a chain every later line's hash no longer follows. It detects damage and hand
 * edits, not a determined forger (there is no key: whoever can write the file can recompute the chain), and not lines
 * cut off at the end (a truncated journal is a valid shorter one; the torn last line of a crash is exactly that).
 * 64 bits suffice for detecting accidents and keep the line short; the hash is computed on the exact bytes written
 * (the field is stripped from the text, never re-serialised), so reading costs one SHA-256 pass over the file.
 * Journals written before checksums existed have no {@code "h"}: they are read as unchecked (one warning), and a
 * resumed search appends checked lines whose chain covers the unchecked ones before them; once a checked line has
 * appeared, a line without a checksum is an error.
 */
public final class TrialJournal implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TrialJournal.class);
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** The hash of "no line before": where a journal's chain starts. */
    static final String GENESIS = "";
    private static final String HASH_PREFIX = ",\"h\":\"";
    private static final int HASH_HEX = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final Path path;
    private final BufferedWriter out;
    private String lastHash;

    private TrialJournal(Path path, BufferedWriter out, String lastHash) {
        this.path = path;
        this.out = out;
        this.lastHash = lastHash;
    }

    /**
     * Opens a journal for appending, creating the file if needed. A last line cut short by a crash (no final
     * newline, not a parseable event) is dropped first, so that new events do not get glued onto it. The journal is
     * read through first (its checksums checked), so that new lines continue its chain: a damaged journal is refused
     * here, before anything is appended to it.
     */
    public static TrialJournal open(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        repairTail(path);
        String last = Files.isRegularFile(path) ? scan(path).lastHash() : GENESIS;
        BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new TrialJournal(path, out, last);
    }

    public Path path() {
        return path;
    }

    public synchronized void append(JournalEvent event) {
        try {
            String text = JSON.writeValueAsString(event);
            String body = text.substring(0, text.length() - 1); // without the closing brace
            String hash = chain(lastHash, body);
            out.write(body);
            out.write(HASH_PREFIX);
            out.write(hash);
            out.write("\"}\n");
            out.flush();
            lastHash = hash;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to journal " + path, e);
        }
    }

    /** The running hash of a line whose text (without its hash field and closing brace) is {@code body}. */
    static String chain(String previous, String body) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(previous.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        sha.update(body.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(sha.digest(), 0, HASH_HEX / 2);
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
     * A journal's events and the line each came from (1-based), as {@link #load} read them.
     *
     * @param file   the journal
     * @param events its events, in file order
     * @param lines  {@code lines.get(i)} is the line of {@code events.get(i)}
     * @param trials the trials the events describe ({@link #replay})
     * @param checked whether every line carries a checksum (false for a journal begun before checksums existed)
     */
    public record Loaded(Path file, List<JournalEvent> events, List<Integer> lines, List<Trial> trials, boolean checked) {
    }

    private record Scanned(List<JournalEvent> events, List<Integer> lines, String lastHash, boolean checked) {
    }

    /** Journals already warned about as unchecked: once per file and JVM, not at every read. */
    private static final java.util.Set<Path> WARNED_UNCHECKED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Reads every event, checking each line's checksum. A last line that does not parse (a write cut short by a
     * crash) is skipped with a warning; a bad line anywhere else, or a checksum that does not follow from the lines
     * before, is an error naming the file and line.
     */
    public static List<JournalEvent> read(Path path) throws IOException {
        return scan(path).events();
    }

    /**
     * Reads and replays a journal ({@link #read}, {@link #replay}): every error, in a line or in the sequence of events,
     * names the file and the line.
     */
    public static Loaded load(Path path) throws IOException {
        Scanned s = scan(path);
        try {
            return new Loaded(path, s.events(), s.lines(), replay(s.events(), i -> path + ": line " + s.lines().get(i)), s.checked());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Scanned scan(Path path) throws IOException {
        // Decoded leniently (malformed bytes become U+FFFD): a write cut inside a multi-byte character must only
        // spoil its own line, not make the whole file unreadable as Files.readAllLines would.
        List<String> lines = new String(Files.readAllBytes(path), StandardCharsets.UTF_8).lines().toList();
        List<JournalEvent> events = new ArrayList<>(lines.size());
        List<Integer> numbers = new ArrayList<>(lines.size());
        String hash = GENESIS;
        int checked = 0;
        int unchecked = 0;
        int last = lines.size() - 1;
        while (last >= 0 && lines.get(last).isBlank()) {
            last--;
        }
        for (int i = 0; i <= last; i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JournalEvent event;
            try {
                event = JSON.readValue(line, JournalEvent.class);
            } catch (JsonProcessingException e) {
                if (i == last) {
                    LOG.warn("{}: ignoring truncated last line {} ({})", path, i + 1, e.getOriginalMessage());
                    break;
                }
                throw new IOException(path + ": line " + (i + 1) + " is not a journal event: " + e.getOriginalMessage(), e);
            }
            int at = line.length() - HASH_HEX - 2 - HASH_PREFIX.length();
            boolean hasHash = at > 0 && line.endsWith("\"}") && line.startsWith(HASH_PREFIX, at);
            String body = hasHash ? line.substring(0, at) : line.substring(0, line.lastIndexOf('}'));
            String expected = chain(hash, body);
            if (hasHash) {
                String recorded = line.substring(at + HASH_PREFIX.length(), line.length() - 2);
                if (!recorded.equals(expected)) {
                    throw new IOException(path + ": line " + (i + 1) + ": checksum " + recorded + " does not match the line and the lines "
                            + "before it (expected " + expected + "): the line was changed, or lines before it were changed, removed or "
                            + "inserted");
                }
                checked++;
            } else if (checked > 0) {
                throw new IOException(path + ": line " + (i + 1) + " has no checksum, but the lines before it have: it was not written "
                        + "by Kompakt");
            } else {
                unchecked++;
            }
            hash = expected;
            events.add(event);
            numbers.add(i + 1);
        }
        if (unchecked > 0 && WARNED_UNCHECKED.add(path.toAbsolutePath())) {
            LOG.warn("{}: the first {} lines have no checksums (written before journals had them); read unchecked", path, unchecked);
        }
        return new Scanned(events, numbers, hash, unchecked == 0);
    }

    /**
     * Rebuilds the trials a journal describes, in trial-number order, with the intermediate values they
     * reported: asked trials without a finished event are RUNNING (they were in flight when the process stopped).
     * Only a sequence a {@link Study} can have written is accepted; anything else is an error naming the event
     * (its position in {@code events}, 1-based; {@link #load} names the file and line instead): a {@code started}
     * event other than the first; a trial asked out of order; a report or a result for a trial never asked; a report for
     * a trial that is not running, or whose step does not come after its last one; a second result for a trial that
     * already has its final one (a result after INTERRUPTED is the trial's rerun, and allowed); a result in state RUNNING.
     */
    public static List<Trial> replay(List<JournalEvent> events) {
        return replay(events, i -> "journal event " + (i + 1));
    }

    private static List<Trial> replay(List<JournalEvent> events, IntFunction<String> where) {
        List<Trial> trials = new ArrayList<>();
        List<Integer> finishedAt = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JournalEvent e = events.get(i);
            if (e instanceof JournalEvent.Started) {
                if (i != 0) {
                    throw new IllegalArgumentException(where.apply(i) + ": a second 'started' event (a journal has one, first)");
                }
            } else if (e instanceof JournalEvent.Asked a) {
                if (a.trial() != trials.size()) {
                    throw new IllegalArgumentException(where.apply(i) + ": journal asks trial " + a.trial() + " but " + trials.size()
                            + " was expected next");
                }
                trials.add(Trial.running(a.trial(), new Assignment(a.params()), instant(a.time(), where.apply(i))));
                finishedAt.add(-1);
            } else if (e instanceof JournalEvent.Reported r) {
                if (r.trial() < 0 || r.trial() >= trials.size()) {
                    throw new IllegalArgumentException(where.apply(i) + ": journal reports for trial " + r.trial() + ", which was never asked");
                }
                Trial t = trials.get(r.trial());
                if (t.state() != TrialState.RUNNING) {
                    throw new IllegalArgumentException(where.apply(i) + ": journal reports step " + r.step() + " for trial " + r.trial()
                            + " after it was " + t.state());
                }
                if (r.step() < 0 || t.lastStep().isPresent() && r.step() <= t.lastStep().getAsInt()) {
                    throw new IllegalArgumentException(where.apply(i) + ": journal reports step " + r.step() + " for trial " + r.trial()
                            + " after step " + t.lastStep().orElse(-1) + "; steps must be >= 0 and increase");
                }
                trials.set(r.trial(), t.withIntermediate(r.step(), r.values()));
            } else if (e instanceof JournalEvent.Finished f) {
                if (f.trial() < 0 || f.trial() >= trials.size()) {
                    throw new IllegalArgumentException(where.apply(i) + ": journal finishes trial " + f.trial() + ", which was never asked");
                }
                if (f.state() == null || f.state() == TrialState.RUNNING) {
                    throw new IllegalArgumentException(where.apply(i) + ": journal finishes trial " + f.trial() + " in state " + f.state());
                }
                Trial r = trials.get(f.trial());
                if (r.state().isFinished()) {
                    throw new IllegalArgumentException(where.apply(i) + ": a second result for trial " + f.trial() + ", which was already "
                            + r.state() + " (" + where.apply(finishedAt.get(f.trial())) + ")");
                }
                finishedAt.set(f.trial(), i);
                trials.set(f.trial(), new Trial(r.number(), f.state(), r.assignment(), f.metrics(), f.error(), f.worker(), r.started(),
                        instant(f.time(), where.apply(i)), r.intermediateValues()));
            }
        }
        return trials;
    }

    private static java.time.Instant instant(String time, String where) {
        try {
            return java.time.Instant.parse(time);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": time '" + time + "' is not an ISO-8601 instant");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}

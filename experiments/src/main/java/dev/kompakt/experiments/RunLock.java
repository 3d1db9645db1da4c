package dev.kompakt.experiments;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock of a run directory, held by the one process that appends to its journal ({@code search} and
 * {@code resume}); {@code report}, {@code export} and {@code compare} only read the journal and take no lock.
 *
 * <p>The lock is the file {@code run.lock} in the run directory, locked with {@link FileChannel#tryLock} (the operating
 * system releases that lock when its process dies, even by {@code kill -9}, so a live holder in any JVM on this machine
 * is detected reliably) and holding its holder's PID, host, process start time and command, to name it in the refusal.
 * When the operating-system lock is free but the file names a live process on this host other than this one (the same
 * PID with the same start time: file systems that do not honour locks), the run is still refused; a holder that is gone
 * (a dead PID, or a PID reused by a process started later) leaves a stale file, which is taken over with a warning. A
 * holder on another host cannot be checked for liveness: there the operating-system lock decides. Releasing empties the
 * file and keeps it (deleting it would let two processes lock two different files of the same name).
 */
public final class RunLock implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
    public static final String FILE = "run.lock";

    /**
     * The run directories this JVM holds. Checked before the lock file is opened at all: on Linux, closing any descriptor
     * of a file drops every lock the process holds on it, so a second command in the same JVM must not open the file.
     */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, Path file, FileChannel channel, FileLock lock) {
        this.key = key;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Refused: another process holds the run directory. Nothing was written. */
    public static final class HeldException extends RuntimeException {
        HeldException(Path dir, String holder) {
            super(dir + ": the run is in use by " + holder + " (lock file " + dir.resolve(FILE) + "); wait for it to end, "
                    + "or stop it, before `kompakt search` or `kompakt resume` writes to this run");
        }
    }

    /**
     * Takes the lock of {@code runDir} for {@code command} ("search", "resume").
     *
     * @throws HeldException while another live process holds it
     */
    public static RunLock acquire(Path runDir, String command) throws IOException {
        Path file = runDir.resolve(FILE);
        Path key = runDir.toRealPath();
        if (!HELD_HERE.add(key)) {
            throw new HeldException(runDir, "another command of this process (pid " + ProcessHandle.current().pid() + ")");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            HELD_HERE.remove(key);
            throw e;
        }
        FileLock lock = null;
        try {
            boolean supported = true;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM outside RunLock
            } catch (IOException e) {
                // a file system without locks (some network mounts): the PID in the file is all there is to go by
                LOG.warn("{}: the file system does not lock files ({}); relying on the PID in {} alone", runDir, e.getMessage(), FILE);
                supported = false;
            }
            Map<String, String> holder = parse(read(channel));
            if (lock == null && supported) {
                throw new HeldException(runDir, describe(holder, "another process"));
            }
            if (liveOnThisHost(holder)) {
                throw new HeldException(runDir, describe(holder, "another process"));
            }
            if (!holder.isEmpty()) {
                LOG.warn("{}: taking over the lock of {}, which is no longer running", runDir, describe(holder, "a process"));
            }
            byte[] me = format(command).getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me), 0);
            channel.force(true);
            return new RunLock(key, file, channel, lock);
        } catch (IOException | RuntimeException e) {
            try {
                if (lock != null) {
                    lock.release();
                }
                channel.close();
            } finally {
                HELD_HERE.remove(key);
            }
            throw e;
        }
    }

    /** Who holds {@code runDir} now, if a live process on this host does (for commands that only read, to say so). */
    public static Optional<String> holder(Path runDir) {
        try {
            if (HELD_HERE.contains(runDir.toRealPath())) {
                return Optional.of("another command of this process (pid " + ProcessHandle.current().pid() + ")");
            }
            Map<String, String> holder = parse(Files.readString(runDir.resolve(FILE)));
            return liveOnThisHost(holder) || isThisProcess(holder) ? Optional.of(describe(holder, "a process")) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0 || size > 4096) {
            return "";
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // read it all
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> parse(String text) throws IOException {
        Properties p = new Properties();
        p.load(new java.io.StringReader(text));
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private static String format(String command) {
        ProcessHandle me = ProcessHandle.current();
        return "pid=" + me.pid() + "\nhost=" + host() + "\nstarted=" + me.info().startInstant().map(Instant::toString).orElse("")
                + "\ncommand=" + command + "\nsince=" + Instant.now() + "\n";
    }

    private static String describe(Map<String, String> holder, String unknown) {
        if (holder.get("pid") == null) {
            return unknown;
        }
        return "`kompakt " + holder.getOrDefault("command", "?") + "` (pid " + holder.get("pid") + " on " + holder.getOrDefault("host", "?")
                + ", since " + holder.getOrDefault("since", "?") + ")";
    }

    private static boolean isThisProcess(Map<String, String> holder) {
        return host().equals(holder.get("host")) && Long.toString(ProcessHandle.current().pid()).equals(holder.get("pid"));
    }

    /** Whether the holder is a live process on this host other than this one (same PID and start time). */
    private static boolean liveOnThisHost(Map<String, String> holder) {
        String pid = holder.get("pid");
        if (pid == null || !host().equals(holder.get("host")) || isThisProcess(holder)) {
            return false;
        }
        Optional<ProcessHandle> process;
        try {
            process = ProcessHandle.of(Long.parseLong(pid.trim()));
        } catch (NumberFormatException e) {
            return false;
        }
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        String started = holder.getOrDefault("started", "");
        Optional<Instant> actual = process.get().info().startInstant();
        // a different start time: the PID was reused by a later process, the holder is gone
        return started.isEmpty() || actual.isEmpty() || actual.get().toString().equals(started);
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown-host";
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock and empties the file (which stays). */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (channel.isOpen()) {
                channel.truncate(0);
                channel.force(true);
            }
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
            } finally {
                channel.close();
                HELD_HERE.remove(key);
            }
        }
    }
}

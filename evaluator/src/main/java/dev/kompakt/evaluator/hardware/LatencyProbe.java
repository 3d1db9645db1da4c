package dev.kompakt.evaluator.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How host latency is measured (in ONNX Runtime, by the candidate evaluator): {@code warmup} untimed calls,
 * then {@code repeats} timed ones at batch 1, optionally a second batch size, with a fixed intra-op thread
 * count; plus the percentile arithmetic and the host's CPU model recorded with the measurements.
 */
public final class LatencyProbe {
    private final int warmup;
    private final int repeats;
    private final int batch;
    private final int intraOpThreads;

    public LatencyProbe(int warmup, int repeats) {
        this(warmup, repeats, 0, 1);
    }

    /**
     * @param batch          a second batch size to time besides batch 1 (0 = batch 1 only)
     * @param intraOpThreads ONNX Runtime intra-op threads for the timed session
     */
    public LatencyProbe(int warmup, int repeats, int batch, int intraOpThreads) {
        if (warmup < 0 || repeats < 1) {
            throw new IllegalArgumentException("latency probe needs warmup >= 0 and repeats >= 1, got " + warmup + ", " + repeats);
        }
        if (batch < 0 || intraOpThreads < 1) {
            throw new IllegalArgumentException("latency probe needs batch >= 0 and intraOpThreads >= 1, got " + batch + ", " + intraOpThreads);
        }
        this.warmup = warmup;
        this.repeats = repeats;
        this.batch = batch;
        this.intraOpThreads = intraOpThreads;
    }

    public int batch() {
        return batch;
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    public int warmup() {
        return warmup;
    }

    public int repeats() {
        return repeats;
    }

    /** The q-quantile of sorted values, interpolating linearly between ranks. */
    public static double percentile(long[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The host's CPU model from /proc/cpuinfo, or os.arch where that is not readable. */
    public static String hostCpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }
}

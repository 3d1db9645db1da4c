package dev.kompakt.evaluator.hardware;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Measures batch-1 inference latency of a network on this host: {@code warmup} untimed calls, then
 * {@code repeats} timed ones; reports percentiles of the timed calls. The caller fixes the thread count
 * (OMP_NUM_THREADS=1 on executors).
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

    public record Measurement(double p50Ms, double p95Ms, int repeats) {
    }

    public Measurement measure(MultiLayerNetwork net, INDArray oneInput) {
        for (int i = 0; i < warmup; i++) {
            net.output(oneInput, false);
        }
        long[] nanos = new long[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            net.output(oneInput, false);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return new Measurement(percentile(nanos, 0.50) / 1e6, percentile(nanos, 0.95) / 1e6, repeats);
    }

    static double percentile(long[] sorted, double q) {
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

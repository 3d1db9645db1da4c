package dev.kompakt.evaluator.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kompakt.evaluator.hardware.LatencyProbe;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * An exported model loaded into ONNX Runtime (CPU, all graph optimisations, a fixed intra-op thread count).
 * Owns a native session: close it. {@link #predict} and {@link #latency} may be called from one thread at a time.
 */
public final class OnnxModel implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    /** The shape of one input sample (the model's input shape without its batch dimension). */
    private final long[] sample;

    /** A model whose input is [N, features]. */
    public OnnxModel(byte[] model, int features, int intraOpThreads) {
        this(model, new long[] {features}, intraOpThreads);
    }

    /** A model whose input is [N, sample...], e.g. {@code {c, h, w}} for an NCHW image input. */
    public OnnxModel(byte[] model, long[] sample, int intraOpThreads) {
        this.sample = sample.clone();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            this.session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the exported model: " + e.getMessage(), e);
        }
    }

    /** Class probabilities for {@code rows} inputs laid out row after row (sample after sample, C order) in {@code x}. */
    public float[][] predict(float[] x, int rows) {
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape(rows));
             OrtSession.Result result = session.run(Map.of("input", input))) {
            return (float[][]) result.get(0).getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime inference failed: " + e.getMessage(), e);
        }
    }

    private long[] shape(int rows) {
        long[] shape = new long[sample.length + 1];
        shape[0] = rows;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    /**
     * Fraction of rows of {@code x} ([n, sample...]) whose top-1 class equals {@code reference}'s ([n, classes]), run
     * {@code batch} rows at a time (e.g. {@code Training.inferenceBatch} of the same network: all 10,000 test images of a
     * 28 px MobileNet in one run took gigabytes of fresh pages per trial, faulted in by every op).
     */
    public double top1Agreement(org.nd4j.linalg.api.ndarray.INDArray x, org.nd4j.linalg.api.ndarray.INDArray reference, int batch) {
        int n = (int) x.size(0);
        if (batch < 1 || reference.size(0) != n) {
            throw new IllegalArgumentException("top-1 agreement needs a batch >= 1 and one reference row per input row, got batch "
                    + batch + ", " + n + " inputs, " + reference.size(0) + " reference rows");
        }
        int[] expected = reference.argMax(1).toIntVector();
        int agree = 0;
        for (int start = 0; start < n; start += batch) {
            int end = Math.min(n, start + batch);
            float[][] out = predict(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .dup('c').data().asFloat(), end - start);
            for (int i = 0; i < out.length; i++) {
                int best = 0;
                for (int k = 1; k < out[i].length; k++) {
                    if (out[i][k] > out[i][best]) {
                        best = k;
                    }
                }
                agree += best == expected[start + i] ? 1 : 0;
            }
        }
        return (double) agree / n;
    }

    /** Percentiles of one {@code run} call on a fixed batch, in milliseconds, after {@code warmup} untimed calls. */
    public record Latency(int batch, double p50Ms, double p95Ms, int repeats) {
    }

    public Latency latency(float[] batchInput, int batch, int warmup, int repeats) {
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(batchInput), shape(batch))) {
            Map<String, OnnxTensor> feed = Map.of("input", input);
            for (int i = 0; i < warmup; i++) {
                session.run(feed).close();
            }
            long[] nanos = new long[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                session.run(feed).close();
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            return new Latency(batch, LatencyProbe.percentile(nanos, 0.5) / 1e6, LatencyProbe.percentile(nanos, 0.95) / 1e6, repeats);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime inference failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close ONNX Runtime session", e);
        }
    }
}

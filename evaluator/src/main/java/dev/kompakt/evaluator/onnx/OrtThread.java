package dev.kompakt.evaluator.onnx;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs ONNX Runtime work on a thread with a 64 MiB stack. Creating a session in a JVM that has loaded ND4J
 * crashed the process with a native stack overflow (exit 139, no hs_err file) on threads with the default
 * 1 MiB Java stack, as the CLI's main thread and Spark's task threads have; with a larger stack it does not.
 * Running the whole session's life (create, check, time) inside one call keeps timings free of thread hand-offs.
 */
public final class OrtThread {
    static final long STACK_BYTES = 64L << 20;

    private OrtThread() {
    }

    public static <T> T call(Callable<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "kompakt-onnxruntime", STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ONNX Runtime", e);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException("ONNX Runtime work failed: " + e.getMessage(), e);
        }
        return result.get();
    }
}

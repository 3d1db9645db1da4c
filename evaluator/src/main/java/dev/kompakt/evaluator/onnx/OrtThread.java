package dev.kompakt.evaluator.onnx;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs ONNX Runtime work on a thread with a 64 MiB stack. Creating a session in a JVM that has loaded ND4J
 * crashed the process with a native stack overflow (exit 139, no hs_err file) on threads with the default
 * 1 MiB Java stack, as the CLI's main thread and Spark's task threads have; with a larger stack it does not.
 * Running the whole session's life (create, check, time) inside one call keeps timings free of thread hand-offs.
 *
 * <p>The threads are long-lived daemons, reused by later calls: one per concurrent caller at most, never
 * retired. Starting a new thread per call made the process's resident memory grow by tens of megabytes per
 * call (native per-thread state of ONNX Runtime and ND4J that a dying thread leaves behind), which no garbage
 * collection gave back; an overnight search died of it.
 */
public final class OrtThread {
    static final long STACK_BYTES = 64L << 20;

    private static final AtomicInteger COUNT = new AtomicInteger();
    /** Grows to the peak number of concurrent calls; idle threads wait for the next call instead of exiting. */
    private static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, Long.MAX_VALUE, TimeUnit.NANOSECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(null, r, "kompakt-onnxruntime-" + COUNT.incrementAndGet(), STACK_BYTES);
                t.setDaemon(true);
                return t;
            });

    private OrtThread() {
    }

    public static <T> T call(Callable<T> work) {
        Future<T> future = POOL.submit(work);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ONNX Runtime", e);
        } catch (ExecutionException wrapped) {
            Throwable e = wrapped.getCause();
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("ONNX Runtime work failed: " + e.getMessage(), e);
        }
    }
}

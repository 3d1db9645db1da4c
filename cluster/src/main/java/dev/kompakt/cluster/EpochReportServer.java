package dev.kompakt.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver's endpoint for epoch reports: executors POST an {@link EpochReport} after each epoch of a trial and get
 * the {@link EpochReport.Decision} back in the response.
 *
 * <p>Why a small HTTP endpoint on the driver rather than Spark's own channels: accumulator updates of a running task
 * reach the driver only with the executor's heartbeat (every 10 s by default, {@code spark.executor.heartbeatInterval})
 * and a listener sees them (SparkListenerExecutorMetricsUpdate) without any way to answer; so a decision would come
 * 10 s late and would have to be carried out by cancelling the job. Here the executor has the answer before it starts
 * the next epoch and stops by itself; the driver cancels the trial's job group as well, which covers a lost response.
 * Every executor must be able to open a connection to the driver anyway (Spark's own RPC does), so this adds no new
 * network requirement beyond one more port. Reports for another run (another token in the path) are refused.
 *
 * <p>Each request is answered on the server's own threads; the decision comes from {@link Decider}, which must not
 * block them for long (the coordinator answers through a future completed on its actor). With no answer in
 * {@link #ANSWER_TIMEOUT_SECONDS}, the trial goes on.
 */
public final class EpochReportServer implements AutoCloseable {
    /** How long a request waits for the decision before it answers "go on". */
    static final long ANSWER_TIMEOUT_SECONDS = 30;

    /** Decides on one report; the stage completes with true to stop the trial. */
    @FunctionalInterface
    public interface Decider {
        CompletionStage<Boolean> reported(EpochReport report);
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;

    private EpochReportServer(HttpServer server, ExecutorService threads, String url) {
        this.server = server;
        this.threads = threads;
        this.url = url;
    }

    /**
     * Listens on every interface at a free port and advertises {@code http://<host>:<port>/kompakt/<token>/epoch}, where
     * {@code host} is the driver's address as executors see it ({@code spark.driver.host}).
     */
    public static EpochReportServer start(String host, Decider decider) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(0), 64);
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kompakt-epoch-reports-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        String path = "/kompakt/" + UUID.randomUUID() + "/epoch";
        server.createContext(path, exchange -> handle(exchange, decider));
        server.setExecutor(threads);
        server.start();
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getAddress().getPort() + path;
        return new EpochReportServer(server, threads, url);
    }

    private static void handle(HttpExchange exchange, Decider decider) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "{\"error\":\"POST an epoch report\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
            EpochReport report;
            try (InputStream in = exchange.getRequestBody()) {
                report = Wire.fromBytes(in.readAllBytes(), EpochReport.class);
            } catch (RuntimeException e) {
                respond(exchange, 400, Wire.toBytes(java.util.Map.of("error", "not an epoch report: " + e.getMessage())));
                return;
            }
            boolean stop;
            try {
                stop = decider.reported(report).toCompletableFuture().get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = false;
            } catch (Exception e) {   // no decision in time, or the coordinator is gone: the trial goes on
                stop = false;
            }
            respond(exchange, 200, Wire.toBytes(new EpochReport.Decision(stop)));
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Where executors send their reports. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

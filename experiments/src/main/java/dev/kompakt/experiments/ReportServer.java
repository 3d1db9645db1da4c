package dev.kompakt.experiments;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kompakt.experiments.report.ProgressNote;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Serves a run directory's {@code report.html} (and {@code pareto.json}, {@code pareto.csv}) over HTTP on 127.0.0.1 only,
 * with the JDK's own server. While the run is in progress (the report carries a {@link ProgressNote} and a live process
 * holds the run's {@link RunLock}) the page is served with a small script that asks {@code /version} every
 * {@link #POLL} and reloads the page when the report changed; the file on disk is never changed by this, and a final
 * report is served as it is. Nothing else is served: no directory listing, no other path. Requests whose {@code Host}
 * is not this address are refused (a web page cannot reach the report by rebinding a name of its own to 127.0.0.1).
 *
 * <p>The server may start before the run directory exists ({@code search --serve} binds its port before it writes
 * anything, so a port in use is refused with nothing written): until {@link #show} names the directory, it serves a page
 * that waits for it.
 */
public final class ReportServer implements AutoCloseable {
    /** How often a page of a run in progress asks whether the report changed. */
    public static final Duration POLL = Duration.ofSeconds(2);
    /** How long {@code search --serve} keeps serving after the search, so that open pages load the final report. */
    public static final Duration FINAL_LINGER = POLL.multipliedBy(2).plusSeconds(1);

    private static final Map<String, String> FILES = Map.of(
            "/pareto.json", "application/json",
            "/pareto.csv", "text/csv; charset=utf-8");

    private final HttpServer http;
    private volatile Path runDir;

    private ReportServer(HttpServer http) {
        this.http = http;
    }

    /**
     * Listens on 127.0.0.1:{@code port} ({@code 0}: a free port the system picks).
     *
     * @throws java.net.BindException when the port is in use
     */
    public static ReportServer start(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        ReportServer server = new ReportServer(http);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    /** From now on, serves this run directory's report. */
    public void show(Path runDir) {
        this.runDir = runDir;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The report's address, e.g. {@code http://127.0.0.1:8123/}. */
    public String address() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + port() + "/";
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!localHost(exchange.getRequestHeaders().getFirst("Host"))) {
                send(exchange, 403, "text/plain; charset=utf-8", bytes("only http://127.0.0.1:" + port() + "/ serves this report\n"));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", bytes("only GET and HEAD\n"));
            } else if (path.equals("/") || path.equals("/" + RunFiles.REPORT)) {
                send(exchange, 200, "text/html; charset=utf-8", bytes(page()));
            } else if (path.equals("/version")) {
                send(exchange, 200, "text/plain; charset=utf-8", bytes(version(report())));
            } else if (FILES.containsKey(path) && runDir != null && Files.isRegularFile(runDir.resolve(path.substring(1)))) {
                send(exchange, 200, FILES.get(path), Files.readAllBytes(runDir.resolve(path.substring(1))));
            } else {
                send(exchange, 404, "text/plain; charset=utf-8", bytes("not found: " + path + " (this server has /, /"
                        + RunFiles.REPORT + ", /pareto.json and /pareto.csv)\n"));
            }
        }
    }

    private boolean localHost(String host) {
        if (host == null) {
            return false;
        }
        String name = host.equals("127.0.0.1:" + port()) || host.equals("localhost:" + port()) ? "" : host;
        return name.isEmpty() || (port() == 80 && (name.equals("127.0.0.1") || name.equals("localhost")));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The report as it is on disk, or null while there is none. */
    private byte[] report() throws IOException {
        Path dir = runDir;
        if (dir == null) {
            return null;
        }
        try {
            return Files.readAllBytes(dir.resolve(RunFiles.REPORT));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** What identifies the report's content: a page reloads when it changes. */
    static String version(byte[] report) {
        if (report == null) {
            return "none";
        }
        CRC32 crc = new CRC32();
        crc.update(report);
        return report.length + "-" + Long.toHexString(crc.getValue());
    }

    /** The page to serve: the report, with the reloading script while the run is in progress. */
    String page() throws IOException {
        byte[] report = report();
        if (report == null) {
            Path dir = runDir;
            String waiting = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Kompakt report</title>\n"
                    + "</head>\n<body>\n<p>No report yet" + (dir == null ? "" : " in " + escape(dir.toString()))
                    + ": the search writes <code>report.html</code> as soon as its run directory is set up. This page loads it "
                    + "then.</p>\n</body>\n</html>\n";
            return withReload(waiting, version(null));
        }
        String html = new String(report, StandardCharsets.UTF_8);
        boolean inProgress = ProgressNote.isIn(html) && RunLock.holder(runDir).isPresent();
        return inProgress ? withReload(html, version(report)) : html;
    }

    /** {@code html} with a script that reloads the page once {@code /version} is no longer {@code version}. */
    static String withReload(String html, String version) {
        String script = "<script>\n/* added by the server (not in the file): reload the page when the search rewrites the report */\n"
                + "(function () {\n  var served = \"" + version + "\";\n  setInterval(function () {\n"
                + "    fetch(\"version\", {cache: \"no-store\"}).then(function (r) { return r.ok ? r.text() : served; })\n"
                + "      .then(function (v) { if (v !== served) { location.reload(); } }, function () { });\n"
                + "  }, " + POLL.toMillis() + ");\n})();\n</script>\n";
        int head = html.indexOf("</head>");
        return head >= 0 ? html.substring(0, head) + script + html.substring(head) : html + script;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}

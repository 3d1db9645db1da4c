package dev.kompakt.experiments;

import dev.kompakt.experiments.report.ProgressNote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report server on a hand-made run directory: what it serves, when the page reloads itself, what it refuses. */
class ReportServerTest {
    private static final String PAGE = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>r</title>\n</head>\n"
            + "<body>\n<main>trials: %d</main>\n</body>\n</html>\n";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(ReportServer server, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.address() + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(ReportServer server, String path) throws Exception {
        HttpResponse<String> r = send(server, "GET", path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        return r.body();
    }

    private static String inProgress(int done) {
        return new ProgressNote(done, done + 1, 4, 0, Instant.now()).insertInto(String.format(PAGE, done));
    }

    @Test
    void servesTheReportAndReloadsItOnlyWhileTheRunIsInProgress() throws Exception {
        try (ReportServer server = ReportServer.start(0)) {
            assertTrue(server.address().matches("http://127\\.0\\.0\\.1:\\d+/"), server.address());
            assertTrue(server.port() > 0);

            // before the run directory is known, and before it has a report: a page that waits for it
            String waiting = get(server, "");
            assertTrue(waiting.contains("No report yet") && waiting.contains("location.reload()"), waiting);
            assertEquals("none", get(server, "version"));
            server.show(dir);
            assertTrue(get(server, "").contains("No report yet in " + dir), "names the run directory");

            try (RunLock lock = RunLock.acquire(dir, "search")) {
                Files.writeString(dir.resolve("report.html"), inProgress(1));
                String version = ReportServer.version(Files.readAllBytes(dir.resolve("report.html")));
                assertEquals(version, get(server, "version"));
                String page = get(server, "");
                assertEquals(page, get(server, "report.html"));
                assertEquals(ReportServer.withReload(inProgress(1).replaceAll("written [^.]*", ""), version),
                        page.replaceAll("written [^.]*", ""), "the file with the reload script, nothing else");
                assertTrue(page.contains("var served = \"" + version + "\"") && page.contains("}, 2000);"), page);
                assertTrue(page.indexOf("<script>") < page.indexOf("</head>"));

                Files.writeString(dir.resolve("report.html"), inProgress(2));
                assertFalse(version.equals(get(server, "version")), "a rewritten report has a new version");

                // the final report (no progress note): served as it is, no script, even while the lock is still held
                Files.writeString(dir.resolve("report.html"), String.format(PAGE, 4));
                assertEquals(String.format(PAGE, 4), get(server, ""));
                Files.writeString(dir.resolve("report.html"), inProgress(3));
            }
            // a report left in progress by a search that is gone: served as it is, it does not reload forever
            assertEquals(Files.readString(dir.resolve("report.html")), get(server, ""));

            Files.writeString(dir.resolve("pareto.json"), "{\"front\": []}");
            assertEquals("{\"front\": []}", get(server, "pareto.json"));
            assertEquals(404, send(server, "GET", "pareto.csv").statusCode(), "not written yet");
            Files.writeString(dir.resolve("trials.jsonl"), "{}\n");
            Files.writeString(dir.resolve("spec.yaml"), "name: x\n");
            for (String other : new String[] {"trials.jsonl", "spec.yaml", "run.lock", "export/", "report.html/x"}) {
                assertEquals(404, send(server, "GET", other).statusCode(), other);
            }
            HttpResponse<String> head = send(server, "HEAD", "");
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            HttpResponse<String> post = send(server, "POST", "");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));

            // raw requests: a path that climbs out, and a Host that is not this server's, are refused
            assertTrue(raw(server, "GET /../spec.yaml HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()).startsWith("HTTP/1.1 404"));
            assertTrue(raw(server, "GET / HTTP/1.1\r\nHost: attacker.example:" + server.port()).startsWith("HTTP/1.1 403"));
            assertTrue(raw(server, "GET / HTTP/1.1\r\nHost: localhost:" + server.port()).startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void aPortInUseIsRefused() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThrows(java.net.BindException.class, () -> ReportServer.start(taken.getLocalPort()));
        }
        assertThrows(IllegalArgumentException.class, () -> ReportServer.start(65536));
    }

    private static String raw(ReportServer server, String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((request + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

package dev.kompakt.experiments;

import dev.kompakt.experiments.report.ProgressNote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny search on local[2] with its report served (as {@code search --serve} does) and rewritten at most every 100 ms:
 * the page fetched over HTTP while the search runs says it is in progress and reloads itself, its count of finished
 * trials grows, report.html exists before the search ends, and afterwards the page is the final report; then
 * {@code kompakt serve} serves the finished run.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LiveReportSearchTest {
    private static final Pattern DONE = Pattern.compile("(\\d+) of 4 trials done, (\\d+) asked \\(budget: 4 trials\\)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void reportIsRewrittenAndServedWhileTheSearchRuns() throws Exception {
        Path runDir = tmp.resolve("run");
        Path report = runDir.resolve("report.html");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<Integer> doneCounts = new ArrayList<>(); // from the pages served while the run was in progress, in order
        List<String> versions = new ArrayList<>();
        boolean reportBeforeEnd = false;
        boolean reloading = false;
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (ReportServer server = ReportServer.start(0)) {
            Future<SearchRunner.Result> search = thread.submit(() -> TinySearch.runAndCheck(
                    new SearchRunner.Options("local[2]", runDir, null, null, null, Duration.ofMillis(100), server), console));
            while (!search.isDone()) {
                if (Files.isRegularFile(report) && !search.isDone()) {
                    reportBeforeEnd = true;
                }
                HttpResponse<String> page = get(server.address());
                assertEquals(200, page.statusCode());
                assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
                Matcher m = DONE.matcher(page.body());
                if (m.find()) {
                    assertTrue(page.body().contains("id=\"" + ProgressNote.ID + "\""), page.body());
                    doneCounts.add(Integer.parseInt(m.group(1)));
                    assertTrue(Integer.parseInt(m.group(2)) >= Integer.parseInt(m.group(1)), m.group());
                    if (page.body().contains("location.reload()")) {
                        reloading = true;
                        versions.add(get(server.address() + "version").body());
                    }
                }
                Thread.sleep(150);
            }
            SearchRunner.Result result = search.get();
            String log = console.toString(StandardCharsets.UTF_8);
            System.out.println("finished trials on the pages served while the run was in progress: " + doneCounts + "; versions: "
                    + versions.stream().distinct().count());

            assertTrue(log.contains("report: " + server.address() + " (serves " + report + ","), log);
            assertTrue(reportBeforeEnd, "report.html exists before the search ends");
            assertTrue(reloading, "a page served while the run is in progress reloads itself: " + doneCounts);
            assertTrue(doneCounts.size() >= 2, "pages seen in progress: " + doneCounts);
            for (int i = 1; i < doneCounts.size(); i++) {
                assertTrue(doneCounts.get(i) >= doneCounts.get(i - 1), "finished trials never go down: " + doneCounts);
            }
            assertTrue(doneCounts.get(0) < doneCounts.get(doneCounts.size() - 1),
                    "the page changed as trials finished (finished trials grew): " + doneCounts);
            assertTrue(versions.stream().distinct().count() >= 2, "the report's version changed: " + versions);

            // after the search: the final report, as on disk, neither in progress nor reloading
            HttpResponse<String> last = get(server.address() + "report.html");
            String file = Files.readString(report);
            assertEquals(file, last.body());
            assertFalse(ProgressNote.isIn(file) || file.contains("added by the server"), "the final report is the plain page");
            assertEquals(4, result.summary().trials().size());
            assertEquals(Files.readString(runDir.resolve("pareto.json")), get(server.address() + "pareto.json").body());
            assertEquals(404, get(server.address() + "trials.jsonl").statusCode());
        } finally {
            thread.shutdownNow();
        }

        // `kompakt serve RUN_DIR` serves the finished run until interrupted, then exits 0
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] code = {-1};
        Thread serve = new Thread(() -> code[0] = dev.kompakt.experiments.cli.KompaktCli.run(new String[] {"serve", runDir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err), "serve");
        serve.start();
        Matcher address = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/) \\(Ctrl-C stops\\)").matcher("");
        for (int i = 0; i < 200 && !address.reset(out.toString(StandardCharsets.UTF_8)).find(); i++) {
            Thread.sleep(50);
        }
        assertTrue(address.reset(out.toString(StandardCharsets.UTF_8)).find(), out.toString(StandardCharsets.UTF_8));
        assertEquals(Files.readString(report), get(address.group(1)).body());
        serve.interrupt();
        serve.join(10_000);
        assertFalse(serve.isAlive());
        assertEquals(0, code[0], out.toString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package dev.kompakt.cluster;

import dev.kompakt.evaluator.EpochListener;
import dev.kompakt.evaluator.net.TrainingInterruptedException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The executor's side of epoch reports: sends each epoch's values of one trial to the driver's
 * {@link EpochReportServer} and returns its decision. A report that cannot be delivered (driver unreachable, an error
 * response) is not a failure of the trial: it trains on, as without early stopping, and the executor's log says so once.
 */
public final class EpochReportClient implements EpochListener {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI url;
    private final int trial;
    private final String worker;
    private boolean warned;

    public EpochReportClient(String url, int trial, String worker) {
        this.url = URI.create(url);
        this.trial = trial;
        this.worker = worker;
    }

    @Override
    public boolean epochEnded(int epoch, int epochs, Map<String, Double> values) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(EpochReportServer.ANSWER_TIMEOUT_SECONDS + 15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Wire.toBytes(new EpochReport(trial, epoch, epochs, worker, values)))).build();
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                warn("the driver answered " + response.statusCode() + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
                return true;
            }
            return !Wire.fromBytes(response.body(), EpochReport.Decision.class).stop();
        } catch (InterruptedException e) {
            // the trial's job was cancelled while it waited for the answer
            throw new TrainingInterruptedException("interrupted while reporting epoch " + epoch);
        } catch (IOException | RuntimeException e) {
            warn(e.toString());
            return true;
        }
    }

    private void warn(String why) {
        if (!warned) {
            warned = true;
            System.err.println("kompakt executor " + ManagementFactory.getRuntimeMXBean().getName() + ": trial " + trial
                    + ": epoch report to " + url + " failed (" + why + "); the trial trains on without early stopping");
        }
    }
}

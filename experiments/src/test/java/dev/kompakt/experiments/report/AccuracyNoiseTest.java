package dev.kompakt.experiments.report;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import static dev.kompakt.experiments.report.ReportSamples.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccuracyNoiseTest {

    @Test
    void wilsonHalfWidthMatchesTheTextbookIntervals() {
        // 50 of 100: the Wilson 95% interval is [0.4038, 0.5962]
        assertEquals(0.0962, AccuracyNoise.wilsonHalfWidth(0.5, 100), 1e-4);
        // 0 of 10: [0, 0.2775]; the half-width is half of that width
        assertEquals(0.2775 / 2, AccuracyNoise.wilsonHalfWidth(0.0, 10), 1e-4);
        // large n: the normal approximation's 1.96 * sqrt(p (1 - p) / n)
        assertEquals(1.96 * Math.sqrt(0.84 * 0.16 / 1_000_000), AccuracyNoise.wilsonHalfWidth(0.84, 1_000_000), 1e-6);
        // the quickstart's 2,000 validation samples at 0.84: about 1.6 points
        assertEquals(0.016, AccuracyNoise.wilsonHalfWidth(0.84, 2000), 0.0005);
        assertTrue(AccuracyNoise.wilsonHalfWidth(0.84, 10_000) < AccuracyNoise.wilsonHalfWidth(0.84, 2000));
    }

    @Test
    void refusesWhatIsNotAnAccuracyOrASampleCount() {
        assertThrows(IllegalArgumentException.class, () -> AccuracyNoise.wilsonHalfWidth(1.2, 100));
        assertThrows(IllegalArgumentException.class, () -> AccuracyNoise.wilsonHalfWidth(Double.NaN, 100));
        assertThrows(IllegalArgumentException.class, () -> AccuracyNoise.wilsonHalfWidth(0.5, 0));
    }

    @Test
    void readsTheValidationSizeFromProvenanceAndNothingElse() {
        assertEquals(OptionalInt.of(2000), AccuracyNoise.validationSamples(Map.of("data.samples", "10000 train, 2000 validation, 2000 test")));
        assertEquals(OptionalInt.of(617), AccuracyNoise.validationSamples(Map.of("data.samples", "5555 train, 617 validation, 700 test")));
        assertEquals(OptionalInt.empty(), AccuracyNoise.validationSamples(Map.of()));
        assertEquals(OptionalInt.empty(), AccuracyNoise.validationSamples(Map.of("data.samples", "10000 train")));
        assertEquals(OptionalInt.empty(), AccuracyNoise.validationSamples(Map.of("data.samples", "10 train, 0 validation, 5 test")));
    }

    @Test
    void theReportSaysHowPreciseTheFrontsAccuracyIsOnlyWhenItKnowsTheSampleCount() {
        RunSummary without = sample();
        assertFalse(ReportWriter.render(without).contains("<dt>Accuracy</dt>"), "no validation size in provenance: no claim");

        Map<String, String> prov = new HashMap<>(without.provenance());
        prov.put("data.samples", "10000 train, 2000 validation, 2000 test");
        RunSummary with = new RunSummary(without.name(), without.objectives(), without.constraints(), without.trials(),
                without.front(), without.baseline(), prov);
        String html = ReportWriter.render(with);
        // the sample's front is trials 0, 1, 5 at accuracies 0.91, 0.89, 0.87: median 0.89
        String expected = ReportWriter.fixed(100 * AccuracyNoise.wilsonHalfWidth(0.89, 2000), 1);
        assertTrue(html.contains("<dt>Accuracy</dt><dd>measured on 2,000 validation samples: at 0.8900 (the front&#39;s median) "
                + "its 95% interval is \u00b1" + expected + " points"), html.substring(0, Math.min(html.length(), 6000)));
        assertEquals("1.4", expected);
    }
}

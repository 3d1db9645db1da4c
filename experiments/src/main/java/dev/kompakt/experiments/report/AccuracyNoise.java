package dev.kompakt.experiments.report;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How precisely an accuracy measured on n samples is known: the half-width of its 95% Wilson score interval (Wilson
 * 1927; it stays inside [0, 1] and is right at small n, unlike the normal approximation). A report reader comparing
 * front points needs it: on 2,000 validation samples an accuracy near 0.84 is known to about +-1.6 points, and
 * near-identical candidates of one search were measured 0.9 points apart (sd; experiments/results/early-stopping.md).
 */
public final class AccuracyNoise {
    private static final double Z95 = 1.959963984540054;
    private static final Pattern VALIDATION = Pattern.compile("(\\d+) validation");

    private AccuracyNoise() {
    }

    /** The 95% Wilson interval's half-width for an accuracy {@code p} in [0, 1] measured on {@code n >= 1} samples. */
    public static double wilsonHalfWidth(double p, int n) {
        if (!(p >= 0 && p <= 1) || n < 1) {
            throw new IllegalArgumentException("needs an accuracy in [0, 1] and at least 1 sample, got " + p + " on " + n);
        }
        double z2 = Z95 * Z95;
        return Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    }

    /**
     * The number of validation samples the run's accuracy was measured on, from its provenance's {@code data.samples}
     * ("10000 train, 2000 validation, 2000 test"); empty for a run whose provenance does not say it.
     */
    public static OptionalInt validationSamples(Map<String, String> provenance) {
        String samples = provenance.get("data.samples");
        if (samples == null) {
            return OptionalInt.empty();
        }
        Matcher m = VALIDATION.matcher(samples);
        if (!m.find()) {
            return OptionalInt.empty();
        }
        try {
            int n = Integer.parseInt(m.group(1));
            return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The report's sentence, or empty when the run's validation size is unknown or there is no accuracy to judge. */
    static Optional<String> sentence(Map<String, String> provenance, double medianAccuracy) {
        OptionalInt n = validationSamples(provenance);
        if (n.isEmpty() || !(medianAccuracy >= 0 && medianAccuracy <= 1)) {
            return Optional.empty();
        }
        double half = wilsonHalfWidth(medianAccuracy, n.getAsInt());
        return Optional.of("measured on " + ReportWriter.grouped(n.getAsInt()) + " validation samples: at "
                + ReportWriter.fixed(medianAccuracy, 4) + " (the front's median) its 95% interval is \u00b1"
                + ReportWriter.fixed(100 * half, 1) + " points (Wilson score); front points closer in accuracy than that "
                + "are not told apart by the measurement");
    }
}

package dev.kompakt.experiments.report;

import dev.kompakt.search.Assignment;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A trial's compression plan in words, for one table cell: e.g. {@code width 0.75 (L1 channels), AGP to 45% sparsity,
 * INT8 weights, KD T=4.7 a=0.74}. The assignment is decoded as the evaluator decodes it ({@link CompressionPlan#from}), so
 * the words say what was built, in build order: architecture, student, pruning, regularisation, quantization, distillation.
 * A parameter no strategy reads is appended as {@code name=value}; an assignment that does not decode is shown as its raw
 * parameters with the reason, never as some other plan.
 */
public final class PlanWords {
    /** Every parameter a strategy reads, but the per-stage and per-layer families matched by {@link #FAMILIES}. */
    private static final Set<String> KNOWN = Set.of(
            ArchitectureStrategy.FAMILY, ArchitectureStrategy.ACTIVATION, ArchitectureStrategy.RESOLUTION, ArchitectureStrategy.PHI,
            ArchitectureStrategy.INIT,
            StudentStrategy.WIDTH, StudentStrategy.INIT, StudentStrategy.CRITERION,
            PruningStrategy.SPARSITY, PruningStrategy.SCHEDULE, PruningStrategy.ALLOCATION,
            RegularizationStrategy.KIND, RegularizationStrategy.STRENGTH,
            QuantizationStrategy.WEIGHT_BITS, QuantizationStrategy.QAT, QuantizationStrategy.CALIBRATION,
            QuantizationStrategy.BIAS_CORRECTION, QuantizationStrategy.ACTIVATION_BITS,
            DistillationStrategy.ENABLED, DistillationStrategy.TEMPERATURE, DistillationStrategy.ALPHA, DistillationStrategy.KIND);
    private static final Pattern FAMILIES = Pattern.compile("arch\\.s\\d+\\.(depth|width|kernel|expansion|se)|"
            + Pattern.quote(QuantizationStrategy.LAYER_BITS_PREFIX) + ".+");

    private PlanWords() {
    }

    /** The plan of {@code assignment} in words; {@code baseline (no compression)} when every strategy is at its identity. */
    public static String of(Assignment assignment) {
        CompressionPlan plan;
        try {
            plan = CompressionPlan.from(assignment);
        } catch (RuntimeException e) {
            return "not a plan (" + e.getMessage() + "): " + raw(assignment.values(), false);
        }
        List<String> parts = new ArrayList<>();
        if (!plan.architecture().isBaseline()) {
            parts.add(plan.architecture().describe());
        }
        student(plan.student(), parts);
        pruning(plan.pruning(), parts);
        regularization(plan.regularization(), parts);
        quantization(plan.quantization(), parts);
        distillation(plan.distillation(), parts);
        String other = raw(assignment.values(), true);
        if (parts.isEmpty()) {
            parts.add("baseline (no compression)");
        }
        String words = String.join(", ", parts);
        return other.isEmpty() ? words : words + "; other parameters: " + other;
    }

    private static void student(StudentStrategy.Plan s, List<String> parts) {
        if (!s.isStudent()) {
            return;
        }
        String how = s.init() == StudentStrategy.Init.SCRATCH ? "from scratch" : criterion(s.criterion()) + " channels";
        parts.add("width " + num(s.width(), 3) + " (" + how + ")");
    }

    private static String criterion(StudentStrategy.Criterion c) {
        return switch (c) {
            case L1 -> "L1";
            case L2 -> "L2";
            case TAYLOR -> "Taylor";
            case RANDOM -> "random";
            case BN_SCALE -> "BN-scale";
        };
    }

    private static void pruning(PruningStrategy.Plan p, List<String> parts) {
        if (p.sparsity() <= 0) {
            return;
        }
        String schedule = p.schedule() == PruningStrategy.Schedule.AGP ? "AGP" : "one-shot";
        String allocation = p.allocation() == PruningStrategy.Allocation.SENSITIVITY ? " (per layer by sensitivity)" : "";
        parts.add(schedule + " to " + percent(p.sparsity()) + " sparsity" + allocation);
    }

    private static void regularization(RegularizationStrategy.Plan r, List<String> parts) {
        switch (r.kind()) {
            case NONE -> {
            }
            case L1 -> parts.add("L1 penalty \u03bb=" + num(r.strength(), 2));
            case GROUP_LASSO -> parts.add("group lasso \u03bb=" + num(r.strength(), 2));
        }
    }

    private static void quantization(QuantizationStrategy.Plan q, List<String> parts) {
        List<String> options = new ArrayList<>();
        if (q.qat()) {
            options.add("QAT");
        }
        if (q.calibration() != QuantizationStrategy.CalibrationMethod.MINMAX) {
            options.add(q.calibration().id() + " calibration");
        }
        if (q.biasCorrection()) {
            options.add("bias correction");
        }
        String opts = options.isEmpty() ? "" : " (" + String.join(", ", options) + ")";
        if (!q.layerBits().isEmpty()) {
            StringBuilder b = new StringBuilder("mixed-precision weights");
            for (Map.Entry<String, Integer> e : q.layerBits().entrySet()) {
                b.append(' ').append(e.getKey()).append(':').append(bits(e.getValue()));
            }
            parts.add(b + opts);
        } else if (!q.floatWeights()) {
            parts.add(bits(q.weightBits()) + " weights" + opts);
        } else if (!opts.isEmpty()) {
            parts.add("float32 weights" + opts);
        }
        if (q.quantizesActivations()) {
            parts.add(bits(q.activationBits()) + " activations");
        }
    }

    private static String bits(int b) {
        return b >= QuantizationStrategy.FLOAT ? "FP32" : "INT" + b;
    }

    private static void distillation(DistillationStrategy.Plan d, List<String> parts) {
        if (!d.enabled()) {
            return;
        }
        String kind = switch (d.kind()) {
            case RESPONSE -> "KD";
            case FEATURE -> "feature KD";
            case RELATION -> "relational KD";
        };
        parts.add(kind + " T=" + num(d.temperature(), 2) + " a=" + num(d.alpha(), 2));
    }

    /** Parameters as {@code name=value}; with {@code unknownOnly}, those no strategy reads. */
    private static String raw(Map<String, Object> values, boolean unknownOnly) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : new TreeMap<>(values).entrySet()) {
            if (unknownOnly && (KNOWN.contains(e.getKey()) || FAMILIES.matcher(e.getKey()).matches())) {
                continue;
            }
            out.add(e.getKey() + "=" + ReportWriter.paramValue(e.getValue()));
        }
        return String.join(" ", out);
    }

    /** A fraction as a percentage with at most one decimal: 45%, 45.4%. */
    static String percent(double fraction) {
        return new BigDecimal(fraction * 100).setScale(1, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString() + "%";
    }

    /** {@code v} with {@code digits} significant digits, no trailing zeros (integer digits are kept): 4.7, 0.74, 12. */
    static String num(double v, int digits) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN));
        if (d.precision() - d.scale() > digits) { // more integer digits than digits: round to an integer instead
            d = new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN);
        }
        return d.stripTrailingZeros().toPlainString();
    }
}

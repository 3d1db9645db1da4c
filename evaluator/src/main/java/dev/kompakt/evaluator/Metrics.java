package dev.kompakt.evaluator;

import dev.kompakt.search.Direction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The metrics a candidate reports, one entry each: name, unit, which direction is better, whether it is measured per
 * simulated device ({@code latency_ms@<device>}), and what it is. Spec validation (which metrics an objective or
 * constraint may name), the report's formatting and {@code kompakt metrics} read this list; {@link CandidateEvaluator}
 * writes these names. Metrics that a plan adds per layer or option ({@code sparsity.<layer>}, {@code calibration.<name>})
 * are described by {@link #FAMILIES} and are not objectives.
 */
public final class Metrics {
    private Metrics() {
    }

    /** How a metric's values read. */
    public enum Unit {
        /** a fraction in [0, 1], shown as a percentage */
        FRACTION("fraction"),
        /** a difference of fractions, shown in percentage points */
        FRACTION_POINTS("fraction (pp)"),
        BYTES("bytes"),
        RATIO("x"),
        MILLISECONDS("ms"),
        SECONDS("s"),
        MILLIJOULES("mJ"),
        COUNT("count"),
        BITS("bits"),
        /** 1 or 0 */
        FLAG("0/1"),
        /** a plain number */
        VALUE("");

        private final String label;

        Unit(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One metric.
     *
     * @param name      the full name, or for a per-device metric the part before {@code @} ({@code latency_ms})
     * @param better    the direction in which it improves (a hint for objectives; constraints are upper bounds)
     * @param perDevice whether it is reported as {@code name@<device>} for every simulated device of the spec
     */
    public record Metric(String name, Unit unit, Direction better, boolean perDevice, String description) {
        /** The name as objectives write it: {@code latency_ms@DEVICE} for a per-device metric. */
        public String pattern() {
            return perDevice ? name + "@DEVICE" : name;
        }
    }

    private static final Map<String, Metric> ALL = new LinkedHashMap<>();

    private static void add(String name, Unit unit, Direction better, boolean perDevice, String description) {
        ALL.put(name, new Metric(name, unit, better, perDevice, description));
    }

    static {
        Direction max = Direction.MAXIMIZE;
        Direction min = Direction.MINIMIZE;
        add("accuracy", Unit.FRACTION, max, false, "top-1 accuracy of the candidate (DL4J) on the validation samples (held out of the"
                + " training split; runs recorded before validation splits: the test split)");
        add("test_accuracy", Unit.FRACTION, max, false, "top-1 accuracy of the candidate (DL4J) on the test split, reported only: no"
                + " choice of the search reads it");
        add("accuracy_drop", Unit.FRACTION_POINTS, min, false, "baseline accuracy minus the candidate's");
        add("size_bytes", Unit.BYTES, min, false, "exact bytes of the parameters as Kompakt stores them (bit widths, per-channel scales, "
                + "float biases, sparse weights as dense, bitmask or CSR, whichever is smallest); not the ONNX file (onnx_bytes)");
        add("compression_ratio", Unit.RATIO, max, false, "the baseline's size_bytes over the candidate's");
        add("params", Unit.COUNT, min, false, "parameters: weights, biases and batch-norm statistics");
        add("nonzero_params", Unit.COUNT, min, false, "parameters that are not exactly zero");
        add("macs", Unit.COUNT, min, false, "multiply-accumulates of one inference (batch 1)");
        add("bitops", Unit.COUNT, min, false, "sum over layers of MACs x weight bits x activation bits");
        add("sparsity", Unit.FRACTION, max, false, "fraction of weights that are exactly zero");
        add("latency_ms@host", Unit.MILLISECONDS, min, false, "batch-1 p50 latency of the ONNX export in ONNX Runtime on the executor");
        add("latency_p95_ms@host", Unit.MILLISECONDS, min, false, "batch-1 p95 latency of the ONNX export on the executor");
        add("latency_batch_ms@host", Unit.MILLISECONDS, min, false, "p50 latency of one call on execution.latencyBatch inputs");
        add("latency_pred_ms@host", Unit.MILLISECONDS, min, false, "batch-1 latency the executor's fitted host model predicts from the layer costs");
        add("host_calibration_max_error", Unit.FRACTION, min, false, "largest relative error of that host model on its own micro-benchmarks");
        add("energy_mj@host", Unit.MILLIJOULES, min, false, "energy of one batch-1 inference on the executor (RAPL, else modelled)");
        add("energy_measured@host", Unit.FLAG, max, false, "1 when energy_mj@host was measured by RAPL, 0 when modelled");
        add("onnx_bytes", Unit.BYTES, min, false, "bytes of the exported ONNX file");
        add("onnx_int8", Unit.FLAG, max, false, "1 when the export runs INT8 kernels, 0 when it is float32");
        add("onnx_top1_agreement", Unit.FRACTION, max, false, "fraction of test inputs on which the export's top-1 class equals DL4J's");
        add("train_seconds", Unit.SECONDS, min, false, "wall time of the candidate's training");
        add("latency_ms", Unit.MILLISECONDS, min, true, "simulated batch-1 latency on the device (roofline per kernel after fusion)");
        add("energy_mj", Unit.MILLIJOULES, min, true, "simulated energy of one inference on the device");
        add("fits_memory", Unit.FLAG, max, true, "1 when the model and its activations fit the device's memory");
    }

    /**
     * Metrics that some plans add, by name or name prefix (per layer, per option): reported and shown, never objectives.
     * {@code sparsity.<layer>} is the sparsity a pruned plan reached in each weight tensor.
     */
    public static final Map<String, Unit> FAMILIES = Map.of("sparsity.", Unit.FRACTION, "calibration.", Unit.FLAG,
            "activation_bits", Unit.BITS, "bias_correction", Unit.FLAG, "bias_shift_max", Unit.VALUE);

    /** Every metric, in the order documentation lists them. */
    public static List<Metric> all() {
        return List.copyOf(ALL.values());
    }

    /**
     * The metric a full name refers to: an exact name ({@code accuracy}, {@code latency_ms@host}) or a per-device metric
     * ({@code latency_ms@rpi4}; the device is not checked here).
     */
    public static Optional<Metric> of(String fullName) {
        Metric exact = ALL.get(fullName);
        if (exact != null) {
            return Optional.of(exact);
        }
        int at = fullName.indexOf('@');
        if (at > 0) {
            Metric m = ALL.get(fullName.substring(0, at));
            if (m != null && m.perDevice()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The unit of a reported value's name, families included; empty for names that are not metrics. */
    public static Optional<Unit> unitOf(String fullName) {
        Optional<Metric> m = of(fullName);
        if (m.isPresent()) {
            return Optional.of(m.get().unit());
        }
        return FAMILIES.entrySet().stream().filter(e -> fullName.startsWith(e.getKey())).map(Map.Entry::getValue).findFirst();
    }
}

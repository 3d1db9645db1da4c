package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.LayerCost;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares every profile's prediction with the published latency (and energy, where published) of its anchor
 * networks, built layer by layer by {@link AnchorNetworks}. Calibration anchors are the ones the profile's
 * efficiency was fitted to; check anchors are held out. The target is the +-30 % that hardware-profiles.md 7
 * (and item 9 of section 0) calls realistic for a simulated device calibrated on anchors.
 *
 * <pre>
 * java -cp ... dev.kompakt.evaluator.hardware.AnchorBenchmark [--fit] [--networks] [PROFILE_DIR]
 * </pre>
 * {@code --fit} adds, per anchor, the efficiency (float or INT8 path, by the anchor's precision) that would
 * reproduce it exactly; {@code --networks} lists the anchor networks with their MACs and parameters.
 */
public final class AnchorBenchmark {
    /** Relative error that counts as reproduced. */
    public static final double TOLERANCE = 0.30;

    private AnchorBenchmark() {
    }

    /**
     * One line of the table. {@code predictedMs} and {@code errorPct} are NaN when there is nothing to compare
     * ({@code note} says why); the energy columns are NaN when no energy was published.
     */
    public record Row(String profile, String anchor, String network, String precision, String role, double publishedMs,
                      double predictedMs, double errorPct, double publishedMj, double predictedMj, double energyErrorPct,
                      double fittedEfficiency, String note) {
        public boolean hasPrediction() {
            return !Double.isNaN(predictedMs);
        }

        public boolean within() {
            return hasPrediction() && Math.abs(errorPct) <= TOLERANCE * 100;
        }
    }

    public static List<Row> rows(ProfileRegistry registry) {
        List<Row> rows = new ArrayList<>();
        for (HardwareProfile p : ordered(registry)) {
            if (p.anchors().isEmpty()) {
                rows.add(new Row(p.id(), "", "", "", "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, "no anchor: no published batch-1 latency collected (hardware-profiles.md 8); its efficiency is a seed [A], not a fit"));
                continue;
            }
            for (HardwareProfile.Anchor a : p.anchors()) {
                rows.add(row(p, a));
            }
        }
        return rows;
    }

    static Row row(HardwareProfile p, HardwareProfile.Anchor a) {
        if (!AnchorNetworks.contains(a.network())) {
            return new Row(p.id(), a.name(), a.network(), a.precision(), a.role(), a.latencyMs(), Double.NaN, Double.NaN,
                    a.energyMj() > 0 ? a.energyMj() : Double.NaN, Double.NaN, Double.NaN, Double.NaN, "network not built");
        }
        List<LayerCost> net = AnchorNetworks.build(a.network(), AnchorNetworks.Precision.of(a.precision()));
        SimulatedDevice.Estimate e = new SimulatedDevice(p).estimate(net);
        double err = 100 * (e.latencyMs() - a.latencyMs()) / a.latencyMs();
        double pubMj = a.energyMj() > 0 ? a.energyMj() : Double.NaN;
        double energyErr = 100 * (e.energyMj() - pubMj) / pubMj;
        String note = e.fallbackFromLayer() >= 0 ? "fallback from layer " + e.fallbackFromLayer() : "";
        return new Row(p.id(), a.name(), a.network(), a.precision(), a.role(), a.latencyMs(), e.latencyMs(), err, pubMj,
                e.energyMj(), energyErr, fit(p, a, net), note);
    }

    /** The global efficiency of the anchor's path that reproduces its latency exactly; NaN if none in (0, 1] does. */
    static double fit(HardwareProfile p, HardwareProfile.Anchor a, List<LayerCost> net) {
        double lo = 1e-5;
        double hi = 1.0;
        if (latency(p, a, net, hi) > a.latencyMs() || latency(p, a, net, lo) < a.latencyMs()) {
            return Double.NaN;
        }
        for (int i = 0; i < 100; i++) {
            double mid = Math.sqrt(lo * hi);
            if (latency(p, a, net, mid) > a.latencyMs()) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.sqrt(lo * hi);
    }

    private static double latency(HardwareProfile p, HardwareProfile.Anchor a, List<LayerCost> net, double eta) {
        HardwareProfile q = a.int8() ? p.withEfficiencies(p.efficiency(), eta) : p.withEfficiencies(eta, p.int8Efficiency() * eta / p.efficiency());
        return new SimulatedDevice(q).estimate(net).latencyMs();
    }

    private static List<HardwareProfile> ordered(ProfileRegistry registry) {
        List<HardwareProfile> out = new ArrayList<>();
        Map<String, HardwareProfile> all = registry.all();
        for (String id : ProfileRegistry.BUILT_IN) {
            if (all.containsKey(id)) {
                out.add(all.get(id));
            }
        }
        all.values().stream().filter(p -> !ProfileRegistry.BUILT_IN.contains(p.id())).forEach(out::add);
        return out;
    }

    public static void print(PrintStream out, List<Row> rows, boolean showFit) {
        out.printf(Locale.ROOT, "%-17s %-42s %-37s %-5s %-11s %10s %10s %8s  %-6s %s%n", "profile", "anchor", "network", "prec",
                "role", "published", "predicted", "error", "+-30%?", "energy (published / predicted mJ)" + (showFit ? "  [fit eta]" : ""));
        for (Row r : rows) {
            if (r.anchor().isEmpty()) {
                out.printf(Locale.ROOT, "%-17s %s%n", r.profile(), r.note());
                continue;
            }
            String pred = r.hasPrediction() ? String.format(Locale.ROOT, "%8.3f ms", r.predictedMs()) : "-";
            String err = r.hasPrediction() ? String.format(Locale.ROOT, "%+7.1f%%", r.errorPct()) : "-";
            String within = r.hasPrediction() ? (r.within() ? "yes" : "NO") : "-";
            StringBuilder extra = new StringBuilder();
            if (!Double.isNaN(r.publishedMj())) {
                extra.append(String.format(Locale.ROOT, "%.2f / %.2f (%+.0f%%)", r.publishedMj(), r.predictedMj(), r.energyErrorPct()));
            } else if (r.hasPrediction()) {
                extra.append(String.format(Locale.ROOT, "- / %.3f", r.predictedMj()));
            }
            if (showFit && r.hasPrediction()) {
                extra.append(String.format(Locale.ROOT, "  [eta %.4f]", r.fittedEfficiency()));
            }
            if (!r.note().isEmpty()) {
                extra.append("  ").append(r.note());
            }
            out.printf(Locale.ROOT, "%-17s %-42s %-37s %-5s %-11s %7.3f ms %10s %8s  %-6s %s%n", r.profile(), r.anchor(), r.network(),
                    r.precision(), r.role(), r.publishedMs(), pred, err, within, extra);
        }
    }

    public static void printNetworks(PrintStream out) {
        out.printf(Locale.ROOT, "%-38s %7s %10s %10s %10s  %s%n", "network", "layers", "MMACs", "Mparams", "int8 MB", "what");
        for (AnchorNetworks.Network n : AnchorNetworks.all().values()) {
            List<LayerCost> l = n.builder().apply(AnchorNetworks.Precision.INT8);
            out.printf(Locale.ROOT, "%-38s %7d %10.1f %10.3f %10.3f  %s%n", n.id(), l.size(), CostModel.totalMacs(l) / 1e6,
                    CostModel.totalParameters(l) / 1e6, CostModel.totalStorageBytes(l) / 1e6, n.description());
        }
    }

    public static void main(String[] args) {
        boolean fit = false;
        boolean networks = false;
        Path dir = null;
        for (String a : args) {
            switch (a) {
                case "--fit" -> fit = true;
                case "--networks" -> networks = true;
                default -> dir = Path.of(a);
            }
        }
        if (networks) {
            printNetworks(System.out);
            System.out.println();
        }
        List<Row> rows = rows(ProfileRegistry.load(dir));
        print(System.out, rows, fit);
        long compared = rows.stream().filter(Row::hasPrediction).count();
        long within = rows.stream().filter(Row::within).count();
        System.out.printf(Locale.ROOT, "%n%d of %d anchors within +-%.0f%%; calibration anchors fit a profile's efficiency, "
                + "check anchors are held out.%n", within, compared, TOLERANCE * 100);
    }
}

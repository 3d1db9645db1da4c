package dev.kompakt.evaluator.hardware;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A simulated device, loaded from a JSON file in {@code profiles/}. Every number carries its source in
 * {@code sources} (tagged [C] cited, [D] derived, [A] assumed, or a mixed tag such as [D/A], as defined in
 * evaluator/src/main/resources/profiles/hardware-profiles.md, in the jar {@code profiles/hardware-profiles.md}: see
 * {@link ProfileRegistry#SOURCES_RESOURCE}), keyed by the field name, or {@code parent.field} for the fields of
 * {@code fallback}, {@code energy} and {@code opEfficiency}. Only the first nine fields are required; the others
 * default as documented so that older files load unchanged. {@link SimulatedDevice} documents the model that uses them.
 *
 * @param peakGflopsFp32      peak float compute, GFLOPS (may be 0 only for an {@code int8Only} device)
 * @param efficiency          fraction of peak that small-CNN kernels reach on the float path (roofline eta)
 * @param memoryBandwidthGBs  off-chip (DRAM, or the host link for a USB accelerator) bandwidth, GB/s
 * @param dispatchOverheadUs  per-kernel dispatch/launch overhead, microseconds
 * @param activePowerW        active power: the energy model of CPUs and GPUs (top-down, E = P x t)
 * @param memoryBytes         memory the model must fit in: weights + peak activations, or only the activations
 *                            when {@code weightMemoryBytes} is set
 * @param peakGopsInt8        peak INT8 compute, GOPS; absent (0) = {@code peakGflopsFp32}
 * @param int8Efficiency      eta of the INT8 path; absent (0) = {@code efficiency}
 * @param opEfficiency        eta by op class ({@link OpKinds#CLASSES}) on the float path; absent classes use
 *                            {@code efficiency}; the INT8 path scales them by {@code int8Efficiency / efficiency}
 * @param fusedOps            kinds fused into the preceding conv/depthwise/dense kernel ({@link OpKinds#FUSABLE}),
 *                            so their intermediate tensors never reach memory; absent = {@code [activation]}
 * @param supportedOps        op classes the device runs; empty or absent = all. From the first unsupported layer
 *                            on, the rest of the network runs on {@code fallback}
 * @param int8Only            the device runs only INT8 layers; a float layer counts as unsupported
 * @param fallback            where unsupported layers run (required with {@code supportedOps} or {@code int8Only})
 * @param hostLinkGBs         host link of an attached accelerator (e.g. USB 3): the network input and output and a
 *                            fallback's boundary tensor cross it; 0 = shares memory with the host
 * @param inferenceOverheadUs fixed overhead per inference (invoke, synchronisation), microseconds
 * @param onChipMemoryBytes   on-chip SRAM: weights that fit (in layer order) are resident and cost no off-chip
 *                            traffic; activations go on-chip when a kernel's fit in what is left; 0 = none
 * @param onChipBandwidthGBs  on-chip bandwidth, GB/s; 0 = not a bottleneck (on-chip bytes only cost energy)
 * @param weightMemoryBytes   separate weight memory (MCU flash): weights must fit here and activations in
 *                            {@code memoryBytes}; 0 = both share {@code memoryBytes}
 * @param energy              energy model; absent = top-down with {@code activePowerW}
 * @param anchors             published measurements that calibrate or check this profile
 */
public record HardwareProfile(String id, String name, double peakGflopsFp32, double efficiency, double memoryBandwidthGBs,
                              double dispatchOverheadUs, double activePowerW, long memoryBytes, Map<String, String> sources,
                              double peakGopsInt8, double int8Efficiency, Map<String, Double> opEfficiency,
                              List<String> fusedOps, List<String> supportedOps, boolean int8Only, Fallback fallback,
                              double hostLinkGBs, double inferenceOverheadUs, long onChipMemoryBytes,
                              double onChipBandwidthGBs, long weightMemoryBytes, Energy energy, List<Anchor> anchors) {

    public static final String TOP_DOWN = "top-down";
    public static final String BOTTOM_UP = "bottom-up";

    @JsonCreator
    public HardwareProfile {
        require(id != null && id.matches("[a-z0-9][a-z0-9_-]*"), "id", id, "lower-case letters, digits, '-' or '_'");
        require(int8Only ? peakGflopsFp32 >= 0 : peakGflopsFp32 > 0, "peakGflopsFp32", peakGflopsFp32, int8Only ? ">= 0" : "> 0");
        require(efficiency > 0 && efficiency <= 1, "efficiency", efficiency, "in (0, 1]");
        require(memoryBandwidthGBs > 0, "memoryBandwidthGBs", memoryBandwidthGBs, "> 0");
        require(dispatchOverheadUs >= 0, "dispatchOverheadUs", dispatchOverheadUs, ">= 0");
        require(activePowerW > 0, "activePowerW", activePowerW, "> 0");
        require(memoryBytes > 0, "memoryBytes", memoryBytes, "> 0");
        sources = sources == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sources));

        require(peakGopsInt8 >= 0, "peakGopsInt8", peakGopsInt8, ">= 0 (0 = same as peakGflopsFp32)");
        require(peakGopsInt8 > 0 || peakGflopsFp32 > 0, "peakGopsInt8", peakGopsInt8, "> 0 when peakGflopsFp32 is 0");
        peakGopsInt8 = peakGopsInt8 == 0 ? peakGflopsFp32 : peakGopsInt8;
        require(int8Efficiency >= 0 && int8Efficiency <= 1, "int8Efficiency", int8Efficiency, "in [0, 1] (0 = same as efficiency)");
        int8Efficiency = int8Efficiency == 0 ? efficiency : int8Efficiency;
        opEfficiency = opEfficiency == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(opEfficiency));
        for (Map.Entry<String, Double> e : opEfficiency.entrySet()) {
            require(OpKinds.CLASSES.contains(e.getKey()), "opEfficiency", e.getKey(), "keyed by one of " + OpKinds.CLASSES);
            require(e.getValue() != null && e.getValue() > 0 && e.getValue() <= 1, "opEfficiency." + e.getKey(), e.getValue(), "in (0, 1]");
        }
        fusedOps = fusedOps == null ? List.of(OpKinds.ACTIVATION) : List.copyOf(fusedOps);
        for (String f : fusedOps) {
            require(OpKinds.FUSABLE.contains(f), "fusedOps", f, "one of " + OpKinds.FUSABLE);
        }
        supportedOps = supportedOps == null ? List.of() : List.copyOf(supportedOps);
        for (String s : supportedOps) {
            require(OpKinds.CLASSES.contains(s), "supportedOps", s, "one of " + OpKinds.CLASSES);
        }
        require(fallback != null || (supportedOps.isEmpty() && !int8Only), "fallback", null,
                "set when supportedOps is not empty or int8Only is true");
        require(hostLinkGBs >= 0, "hostLinkGBs", hostLinkGBs, ">= 0");
        require(inferenceOverheadUs >= 0, "inferenceOverheadUs", inferenceOverheadUs, ">= 0");
        require(onChipMemoryBytes >= 0, "onChipMemoryBytes", onChipMemoryBytes, ">= 0");
        require(onChipBandwidthGBs >= 0, "onChipBandwidthGBs", onChipBandwidthGBs, ">= 0");
        require(weightMemoryBytes >= 0, "weightMemoryBytes", weightMemoryBytes, ">= 0");
        energy = energy == null ? Energy.topDown() : energy;
        anchors = anchors == null ? List.of() : List.copyOf(anchors);
    }

    /** The original nine-field profile: float roofline, top-down energy, no fallback, no anchors. */
    public HardwareProfile(String id, String name, double peakGflopsFp32, double efficiency, double memoryBandwidthGBs,
                           double dispatchOverheadUs, double activePowerW, long memoryBytes, Map<String, String> sources) {
        this(id, name, peakGflopsFp32, efficiency, memoryBandwidthGBs, dispatchOverheadUs, activePowerW, memoryBytes, sources,
                0, 0, null, null, null, false, null, 0, 0, 0, 0, 0, null, null);
    }

    /** A copy with other float and INT8 efficiencies (op-class factors scale with {@code efficiency}). */
    public HardwareProfile withEfficiencies(double newEfficiency, double newInt8Efficiency) {
        Map<String, Double> ops = new TreeMap<>();
        opEfficiency.forEach((k, v) -> ops.put(k, Math.min(1.0, v * newEfficiency / efficiency)));
        return new HardwareProfile(id, name, peakGflopsFp32, newEfficiency, memoryBandwidthGBs, dispatchOverheadUs, activePowerW,
                memoryBytes, sources, peakGopsInt8, newInt8Efficiency, ops, fusedOps, supportedOps, int8Only, fallback,
                hostLinkGBs, inferenceOverheadUs, onChipMemoryBytes, onChipBandwidthGBs, weightMemoryBytes, energy, anchors);
    }

    /** Eta of an op class on the float path. */
    public double efficiencyFor(String opClass) {
        return opEfficiency.getOrDefault(opClass, efficiency);
    }

    /** Eta of an op class on the INT8 path. */
    public double int8EfficiencyFor(String opClass) {
        return Math.min(1.0, efficiencyFor(opClass) * int8Efficiency / efficiency);
    }

    /** Whether the device itself runs a layer of this kind at this precision (else it goes to the fallback). */
    public boolean supports(String kind, boolean int8) {
        if (int8Only && !int8) {
            return false;
        }
        return supportedOps.isEmpty() || supportedOps.contains(OpKinds.opClass(kind));
    }

    /** Whether a layer of this kind fuses into the preceding conv/depthwise/dense kernel on this device. */
    public boolean fuses(String kind) {
        String f = OpKinds.fusionName(kind);
        return f != null && fusedOps.contains(f);
    }

    private static void require(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("hardware profile field '" + field + "' must be " + rule + ", got " + value);
        }
    }

    /**
     * Where the layers from the first unsupported one on run: typically the host CPU, at an effective rate taken
     * from a published whole-network measurement on that CPU.
     *
     * @param effectiveGops      achieved ops/s of the fallback processor on such layers, in GOPS
     * @param activePowerW       its power while it runs them
     * @param transferOverheadUs fixed cost of handing the boundary tensor over, microseconds
     */
    public record Fallback(String name, double effectiveGops, double activePowerW, double transferOverheadUs) {
        public Fallback {
            require(effectiveGops > 0, "fallback.effectiveGops", effectiveGops, "> 0");
            require(activePowerW >= 0, "fallback.activePowerW", activePowerW, ">= 0");
            require(transferOverheadUs >= 0, "fallback.transferOverheadUs", transferOverheadUs, ">= 0");
        }
    }

    /**
     * Energy model (hardware-profiles.md 6.3). {@code top-down}: E = activePowerW x latency, the default for CPUs and
     * GPUs, whose instruction overheads make per-op costs meaningless. {@code bottom-up}: E = sum over kernels of
     * MACs x pJ/MAC (by precision) + other ops x pJ/op + off-chip bytes x pJ/byte + on-chip bytes x pJ/byte, plus
     * staticPowerW x latency (Horowitz 2014 constants scaled to the node).
     */
    public record Energy(String model, double pjPerMacFp32, double pjPerMacInt8, double pjPerOpFp32, double pjPerOpInt8,
                         double pjPerDramByte, double pjPerSramByte, double staticPowerW) {
        public Energy {
            model = model == null ? TOP_DOWN : model.toLowerCase(Locale.ROOT);
            require(Set.of(TOP_DOWN, BOTTOM_UP).contains(model), "energy.model", model, "'top-down' or 'bottom-up'");
            for (double v : new double[] {pjPerMacFp32, pjPerMacInt8, pjPerOpFp32, pjPerOpInt8, pjPerDramByte, pjPerSramByte, staticPowerW}) {
                require(v >= 0, "energy", v, "made of numbers >= 0");
            }
            if (BOTTOM_UP.equals(model)) {
                require(pjPerMacFp32 > 0 && pjPerMacInt8 > 0, "energy", model, "bottom-up with pjPerMacFp32 and pjPerMacInt8 > 0");
            }
        }

        static Energy topDown() {
            return new Energy(TOP_DOWN, 0, 0, 0, 0, 0, 0, 0);
        }

        public boolean bottomUp() {
            return BOTTOM_UP.equals(model);
        }
    }

    /**
     * A published measurement of a network on this device.
     *
     * @param network   network id built by {@link AnchorNetworks} (e.g. {@code mobilenet_v1_224})
     * @param precision {@code int8} (weights and activations 8-bit) or {@code fp32}
     * @param latencyMs published batch-1 latency
     * @param energyMj  published energy per inference, 0 when none
     * @param role      {@code calibration}: the profile's efficiency was fitted to it; {@code check}: held out
     */
    public record Anchor(String name, String network, String precision, double latencyMs, double energyMj, String role,
                         String source) {
        public static final String CALIBRATION = "calibration";
        public static final String CHECK = "check";

        public Anchor {
            require(network != null && !network.isBlank(), "anchors.network", network, "set");
            require("int8".equals(precision) || "fp32".equals(precision), "anchors.precision", precision, "'int8' or 'fp32'");
            require(latencyMs > 0, "anchors.latencyMs", latencyMs, "> 0");
            require(energyMj >= 0, "anchors.energyMj", energyMj, ">= 0");
            role = role == null ? CALIBRATION : role;
            require(CALIBRATION.equals(role) || CHECK.equals(role), "anchors.role", role, "'calibration' or 'check'");
            require(source != null && source.matches("\\[[CDA]\\] .+"), "anchors.source", source, "tagged [C], [D] or [A]");
        }

        public boolean int8() {
            return "int8".equals(precision);
        }
    }
}

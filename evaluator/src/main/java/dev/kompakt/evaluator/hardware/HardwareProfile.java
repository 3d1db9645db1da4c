package dev.kompakt.evaluator.hardware;

import java.util.Map;

/**
 * A simulated device, loaded from a JSON file in {@code profiles/}. Every number carries its source in
 * {@code sources} (tagged [C] cited, [D] derived, [A] assumed, as in shared/research/hardware-profiles.md).
 *
 * @param efficiency fraction of peak compute that small CNN kernels reach on this device (roofline eta)
 */
public record HardwareProfile(String id, String name, double peakGflopsFp32, double efficiency, double memoryBandwidthGBs,
                              double dispatchOverheadUs, double activePowerW, long memoryBytes, Map<String, String> sources) {
    public HardwareProfile {
        require(id != null && id.matches("[a-z0-9][a-z0-9_-]*"), "id", id, "lower-case letters, digits, '-' or '_'");
        require(peakGflopsFp32 > 0, "peakGflopsFp32", peakGflopsFp32, "> 0");
        require(efficiency > 0 && efficiency <= 1, "efficiency", efficiency, "in (0, 1]");
        require(memoryBandwidthGBs > 0, "memoryBandwidthGBs", memoryBandwidthGBs, "> 0");
        require(dispatchOverheadUs >= 0, "dispatchOverheadUs", dispatchOverheadUs, ">= 0");
        require(activePowerW > 0, "activePowerW", activePowerW, "> 0");
        require(memoryBytes > 0, "memoryBytes", memoryBytes, "> 0");
        sources = sources == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sources));
    }

    private static void require(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException("hardware profile field '" + field + "' must be " + rule + ", got " + value);
        }
    }
}

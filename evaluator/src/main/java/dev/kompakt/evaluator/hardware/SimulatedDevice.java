package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.LayerCost;

import java.util.List;

/**
 * Roofline latency and top-down energy of a network on a simulated device, batch 1. Each layer takes
 * {@code max(flops / (peak * efficiency), bytes / bandwidth) + dispatch overhead}, where bytes are the
 * layer's stored parameters plus float32 input and output activations. Energy is {@code P_active * latency}
 * (the CPU model of hardware-profiles.md 6.3). Compute runs in float32: weight quantization shrinks the
 * bytes moved, not the arithmetic, until activation quantization lands (issue 3).
 */
public final class SimulatedDevice {
    private final HardwareProfile profile;

    public SimulatedDevice(HardwareProfile profile) {
        this.profile = profile;
    }

    public record Estimate(double latencyMs, double energyMj, boolean fitsMemory) {
    }

    public Estimate estimate(List<LayerCost> layers) {
        double seconds = 0;
        long storage = 0;
        long peakActivations = 0;
        for (LayerCost c : layers) {
            double flops = 2.0 * c.macs() + c.otherOps();
            double compute = flops / (profile.peakGflopsFp32() * profile.efficiency() * 1e9);
            double bytes = c.storageBytes() + 4.0 * (c.inputElements() + c.outputElements());
            double memory = bytes / (profile.memoryBandwidthGBs() * 1e9);
            seconds += Math.max(compute, memory) + profile.dispatchOverheadUs() * 1e-6;
            storage += c.storageBytes();
            peakActivations = Math.max(peakActivations, 4L * (c.inputElements() + c.outputElements()));
        }
        double latencyMs = seconds * 1e3;
        double energyMj = profile.activePowerW() * seconds * 1e3;
        return new Estimate(latencyMs, energyMj, storage + peakActivations <= profile.memoryBytes());
    }

    public HardwareProfile profile() {
        return profile;
    }
}

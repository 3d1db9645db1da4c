package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.LayerCost;

import java.util.ArrayList;
import java.util.List;

/**
 * Latency, energy and memory fit of a network on a simulated device at batch 1 (hardware-profiles.md 6.1 and 6.3).
 *
 * <p><b>Kernels.</b> Layers are grouped into kernels: a layer whose kind the profile fuses ({@code fusedOps}:
 * activation, add, pool) joins the preceding conv/depthwise/dense kernel, so the tensor between them never goes to
 * memory; a fused {@code add} still reads its other operand.
 *
 * <p><b>Latency of a kernel.</b> {@code max(t_compute, t_offchip, t_onchip) + dispatchOverheadUs}, where
 * {@code t_compute} sums, over the kernel's layers, {@code (2 MACs + other ops) / (peak x eta)} with the INT8 peak
 * and eta when the layer's weights and activations are both <= 8 bits ({@link LayerCost#int8Compute()}) and the
 * float ones otherwise, eta by op class ({@code opEfficiency}); {@code t_offchip} is the kernel's off-chip bytes
 * over {@code memoryBandwidthGBs}, and {@code t_onchip} its on-chip bytes over {@code onChipBandwidthGBs} (0 when
 * that is not set). A kernel's bytes are its stored weights (on-chip when they are resident: the network's weights
 * are placed in layer order until {@code onChipMemoryBytes} is full) and its input, extra operand and output
 * activations at the layers' activation bit widths (on-chip when they fit in the on-chip memory the resident weights
 * leave).
 *
 * <p><b>No-ops.</b> Layers that do no work at inference ({@link OpKinds#isNoOp}: reshapes, dropout) run no kernel,
 * move no bytes, never send the network to the fallback, and do not stop the layers around them from fusing.
 *
 * <p><b>Fallback.</b> From the first layer the device does not support ({@code supportedOps}, or any float layer on
 * an {@code int8Only} device), every remaining layer runs on the profile's {@code fallback} at its effective rate,
 * after handing over the boundary tensor ({@code hostLinkGBs} plus {@code transferOverheadUs}). An attached
 * accelerator ({@code hostLinkGBs > 0}) also receives the network input and returns its output over the link.
 * Every inference that runs anything on the device adds {@code inferenceOverheadUs}.
 *
 * <p><b>Energy.</b> Top-down: {@code activePowerW} x device time, plus the fallback's power x its time. Bottom-up:
 * per-MAC, per-op and per-byte energies of the device's kernels plus {@code staticPowerW} x total latency, plus the
 * fallback's power x its time.
 *
 * <p><b>Memory.</b> The model fits when its stored weights plus the largest layer's input and output activations
 * fit in {@code memoryBytes}; with a separate {@code weightMemoryBytes} (MCU flash), the weights must fit there and
 * the activations in {@code memoryBytes}.
 */
public final class SimulatedDevice {
    private final HardwareProfile profile;

    public SimulatedDevice(HardwareProfile profile) {
        this.profile = profile;
    }

    /**
     * @param kernels           kernels the device ran after fusion (fallback layers not included)
     * @param fallbackFromLayer position in the layer list from which the fallback ran, -1 when it did not
     * @param offChipBytes      bytes moved to and from off-chip memory (and over the host link)
     * @param onChipBytes       bytes moved to and from on-chip memory
     */
    public record Estimate(double latencyMs, double energyMj, boolean fitsMemory, int kernels, int fallbackFromLayer,
                           double offChipBytes, double onChipBytes) {
    }

    /** One kernel as simulated: its layers (positions in the list) and where its time and bytes went. */
    public record Kernel(List<Integer> layers, double computeSeconds, double offChipBytes, double onChipBytes, double seconds) {
    }

    public Estimate estimate(List<LayerCost> layers) {
        return simulate(layers).estimate;
    }

    /** The device's kernels for this network, in order (for inspection and tests). */
    public List<Kernel> kernels(List<LayerCost> layers) {
        return simulate(layers).kernels;
    }

    public HardwareProfile profile() {
        return profile;
    }

    private record Result(Estimate estimate, List<Kernel> kernels) {
    }

    private Result simulate(List<LayerCost> layers) {
        int n = layers.size();
        int fallbackFrom = -1;
        for (int i = 0; i < n; i++) {
            LayerCost c = layers.get(i);
            if (!OpKinds.isNoOp(c.kind()) && !profile.supports(c.kind(), c.int8Compute())) {
                fallbackFrom = i;
                break;
            }
        }
        int deviceEnd = fallbackFrom < 0 ? n : fallbackFrom;

        // weights resident on-chip, in layer order, while they fit
        boolean[] resident = new boolean[n];
        long residentBytes = 0;
        for (int i = 0; i < deviceEnd; i++) {
            long w = layers.get(i).storageBytes();
            if (w > 0 && residentBytes + w <= profile.onChipMemoryBytes()) {
                resident[i] = true;
                residentBytes += w;
            }
        }
        long onChipForActivations = profile.onChipMemoryBytes() - residentBytes;

        List<List<Integer>> groups = new ArrayList<>();
        for (int i = 0; i < deviceEnd; i++) {
            LayerCost c = layers.get(i);
            if (OpKinds.isNoOp(c.kind())) {
                continue; // no kernel, no bytes, and the layers on either side may still fuse
            }
            boolean fuse = !groups.isEmpty() && profile.fuses(c.kind())
                    && OpKinds.isKernelHead(layers.get(groups.get(groups.size() - 1).get(0)).kind());
            if (fuse) {
                groups.get(groups.size() - 1).add(i);
            } else {
                List<Integer> g = new ArrayList<>();
                g.add(i);
                groups.add(g);
            }
        }

        HardwareProfile.Energy energy = profile.energy();
        double deviceSeconds = 0;
        double offChip = 0;
        double onChip = 0;
        double dynamicJoules = 0;
        List<Kernel> kernels = new ArrayList<>();
        for (List<Integer> g : groups) {
            double compute = 0;
            double weightOff = 0;
            double weightOn = 0;
            LayerCost first = layers.get(g.get(0));
            LayerCost last = layers.get(g.get(g.size() - 1));
            double activations = first.inputElements() * first.activationBits() / 8.0
                    + last.outputElements() * last.activationBits() / 8.0;
            long previousOut = first.outputElements();
            for (int k = 0; k < g.size(); k++) {
                int i = g.get(k);
                LayerCost c = layers.get(i);
                boolean int8 = c.int8Compute();
                String cls = OpKinds.opClass(c.kind());
                double rate = int8 ? profile.peakGopsInt8() * profile.int8EfficiencyFor(cls)
                        : profile.peakGflopsFp32() * profile.efficiencyFor(cls);
                compute += c.ops() / (rate * 1e9);
                if (resident[i]) {
                    weightOn += c.storageBytes();
                } else {
                    weightOff += c.storageBytes();
                }
                if (k > 0) {
                    // a fused layer reads only what its producer did not hand it (the other operand of an add)
                    activations += Math.max(0, c.inputElements() - previousOut) * c.activationBits() / 8.0;
                    previousOut = c.outputElements();
                }
                if (energy.bottomUp()) {
                    dynamicJoules += (c.macs() * (int8 ? energy.pjPerMacInt8() : energy.pjPerMacFp32())
                            + c.otherOps() * (int8 ? energy.pjPerOpInt8() : energy.pjPerOpFp32())) * 1e-12;
                }
            }
            boolean activationsOnChip = activations <= onChipForActivations;
            double kOff = weightOff + (activationsOnChip ? 0 : activations);
            double kOn = weightOn + (activationsOnChip ? activations : 0);
            double memory = kOff / (profile.memoryBandwidthGBs() * 1e9);
            if (profile.onChipBandwidthGBs() > 0) {
                memory = Math.max(memory, kOn / (profile.onChipBandwidthGBs() * 1e9));
            }
            double seconds = Math.max(compute, memory) + profile.dispatchOverheadUs() * 1e-6;
            deviceSeconds += seconds;
            offChip += kOff;
            onChip += kOn;
            kernels.add(new Kernel(List.copyOf(g), compute, kOff, kOn, seconds));
        }

        // host link: input in and output back (the output is the fallback's input when there is one)
        double linkSeconds = 0;
        if (deviceEnd > 0 && profile.hostLinkGBs() > 0) {
            LayerCost first = layers.get(0);
            LayerCost last = layers.get(deviceEnd - 1);
            double linkBytes = first.inputElements() * first.activationBits() / 8.0 + last.outputElements() * last.activationBits() / 8.0;
            linkSeconds = linkBytes / (profile.hostLinkGBs() * 1e9);
            offChip += linkBytes;
        }
        double fallbackSeconds = 0;
        if (fallbackFrom >= 0) {
            HardwareProfile.Fallback fb = profile.fallback();
            if (deviceEnd > 0) {
                linkSeconds += fb.transferOverheadUs() * 1e-6;
            }
            for (int i = fallbackFrom; i < n; i++) {
                fallbackSeconds += layers.get(i).ops() / (fb.effectiveGops() * 1e9);
            }
        }
        double overhead = deviceEnd == 0 ? 0 : profile.inferenceOverheadUs() * 1e-6; // nothing invoked on the device
        double seconds = deviceSeconds + linkSeconds + fallbackSeconds + overhead;

        double joules;
        double fallbackJoules = fallbackFrom >= 0 ? profile.fallback().activePowerW() * fallbackSeconds : 0;
        if (energy.bottomUp()) {
            joules = dynamicJoules + offChip * energy.pjPerDramByte() * 1e-12 + onChip * energy.pjPerSramByte() * 1e-12
                    + energy.staticPowerW() * seconds + fallbackJoules;
        } else {
            joules = profile.activePowerW() * (seconds - fallbackSeconds) + fallbackJoules;
        }

        long storage = 0;
        double peakActivations = 0;
        for (LayerCost c : layers) {
            storage += c.storageBytes();
            peakActivations = Math.max(peakActivations, Math.ceil(c.activationBytes()));
        }
        boolean fits = profile.weightMemoryBytes() > 0
                ? storage <= profile.weightMemoryBytes() && peakActivations <= profile.memoryBytes()
                : storage + peakActivations <= profile.memoryBytes();

        Estimate e = new Estimate(seconds * 1e3, joules * 1e3, fits, kernels.size(), fallbackFrom, offChip, onChip);
        return new Result(e, List.copyOf(kernels));
    }
}

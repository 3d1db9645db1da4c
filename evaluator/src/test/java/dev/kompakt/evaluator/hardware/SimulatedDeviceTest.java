package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.LayerCost;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedDeviceTest {
    /** The original Pi 4 numbers, as a plain nine-field profile (the built-in one is now calibrated). */
    private static final HardwareProfile PLAIN = new HardwareProfile("plain", "float roofline", 96.0, 0.25, 2.8, 5.0, 5.0,
            4_000_000_000L, Map.of());

    private static LayerCost layer(String name, long macs, long otherOps, long storage, long in, long out) {
        return new LayerCost(0, name, "test", macs, otherOps, 0, 0, 0, 32, storage, in, out);
    }

    private static LayerCost layer(String kind, long macs, long otherOps, long weights, int weightBits, long storage, long in, long out,
                                   int activationBits) {
        return new LayerCost(0, kind, kind, macs, otherOps, weights, weights, 0, weightBits, storage, in, out, activationBits);
    }

    /** A profile built field by field: the nine originals plus the new ones. */
    private static HardwareProfile profile(double peakInt8, double int8Eff, List<String> fused, List<String> supported, boolean int8Only,
                                           HardwareProfile.Fallback fallback, double link, long onChip, long weightMemory,
                                           HardwareProfile.Energy energy) {
        return new HardwareProfile("t", "test device", 100.0, 0.5, 10.0, 1.0, 2.0, 1_000_000_000L, Map.of(), peakInt8, int8Eff, null,
                fused, supported, int8Only, fallback, link, 0, onChip, 0, weightMemory, energy, null);
    }

    /** The roofline of one layer, written out from the profile's numbers. */
    private static double seconds(HardwareProfile p, double flops, double bytes) {
        double compute = flops / (p.peakGflopsFp32() * 1e9 * p.efficiency());
        double memory = bytes / (p.memoryBandwidthGBs() * 1e9);
        return Math.max(compute, memory) + p.dispatchOverheadUs() / 1e6;
    }

    @Test
    void latencyIsTheRooflineSumAndEnergyIsPowerTimesLatency() {
        // compute-bound: 2e6 FLOPs at 24 GFLOPS = 83.33 us vs 1000 + 4*200 = 1800 bytes at 2.8 GB/s = 0.64 us
        LayerCost conv = layer("conv", 1_000_000, 0, 1000, 100, 100);
        // memory-bound: 1000 ops = 0.04 us vs 4 * 1.25e6 = 5e6 bytes = 1785.71 us
        LayerCost pool = layer("pool", 0, 1000, 0, 1_000_000, 250_000);
        List<LayerCost> layers = List.of(conv, pool);

        double expectedSeconds = seconds(PLAIN, 2.0 * 1_000_000, 1000 + 4.0 * 200)
                + seconds(PLAIN, 1000, 4.0 * 1_250_000);
        SimulatedDevice.Estimate e = new SimulatedDevice(PLAIN).estimate(layers);
        assertEquals(expectedSeconds * 1e3, e.latencyMs(), 1e-12);
        // the same numbers by hand: 83.333 + 5 + 1785.714 + 5 us
        assertEquals((2e6 / 24e9 + 5e-6 + 5e6 / 2.8e9 + 5e-6) * 1e3, e.latencyMs(), 1e-12);
        assertEquals(1.879048, e.latencyMs(), 1e-6);
        // energy: P * t, W * ms = mJ
        assertEquals(PLAIN.activePowerW() * e.latencyMs(), e.energyMj(), 1e-12);
        assertTrue(e.fitsMemory());
        assertEquals(2, e.kernels());
        assertEquals(-1, e.fallbackFromLayer());
        assertEquals(1000 + 4.0 * 200 + 4.0 * 1_250_000, e.offChipBytes(), 1e-9);
        assertEquals(0.0, e.onChipBytes());
    }

    @Test
    void emptyNetworkCostsNothing() {
        SimulatedDevice.Estimate e = new SimulatedDevice(ProfileRegistry.builtIn().get("coral-edgetpu")).estimate(List.of());
        assertEquals(0.0, e.latencyMs());
        assertEquals(0.0, e.energyMj());
        assertTrue(e.fitsMemory());
    }

    @Test
    void memoryFitCountsStorageAndThePeakActivations() {
        HardwareProfile small = new HardwareProfile("small", "tiny device", 1, 1, 1, 0, 1, 10_000, Map.of());
        SimulatedDevice device = new SimulatedDevice(small);
        assertSame(small, device.profile());
        // storage 6000 + 4000 + peak activations 4 * (0 + 0) = 10000: exactly fits
        assertTrue(device.estimate(List.of(layer("a", 0, 0, 6000, 0, 0), layer("b", 0, 0, 4000, 0, 0))).fitsMemory());
        // one byte more of storage does not
        assertFalse(device.estimate(List.of(layer("a", 0, 0, 6001, 0, 0), layer("b", 0, 0, 4000, 0, 0))).fitsMemory());
        // 9000 stored + the largest layer's activations 4 * (200 + 100) = 1200 > 10000; the other layer's 400 is not added
        assertFalse(device.estimate(List.of(layer("a", 0, 0, 9000, 200, 100), layer("b", 0, 0, 0, 50, 50))).fitsMemory());
        assertTrue(device.estimate(List.of(layer("a", 0, 0, 8800, 200, 100), layer("b", 0, 0, 0, 50, 50))).fitsMemory());
        // 8-bit activations take a quarter: 9000 + 300 fits
        assertTrue(device.estimate(List.of(layer("conv", 0, 0, 0, 32, 9000, 200, 100, 8))).fitsMemory());
        // on the Pi 4: storage beyond its 4 GB
        HardwareProfile rpi4 = ProfileRegistry.builtIn().get("rpi4");
        assertFalse(new SimulatedDevice(rpi4).estimate(List.of(layer("huge", 0, 0, rpi4.memoryBytes() + 1, 0, 0))).fitsMemory());
    }

    @Test
    void stm32RejectsWeightsBeyondItsFlashAndActivationsBeyondItsRam() {
        HardwareProfile stm = ProfileRegistry.builtIn().get("stm32h7");
        SimulatedDevice mcu = new SimulatedDevice(stm);
        // the MLPerf Tiny image-classification network fits: 80 kB of INT8 weights, 24 kB of activations at most
        assertTrue(mcu.estimate(AnchorNetworks.build("mlperf_tiny_ic_resnet8", AnchorNetworks.Precision.INT8)).fitsMemory());
        // a 2048 x 1536 INT8 dense layer: 3.1 MB of weights > 2 MiB of flash, though its activations are tiny
        long w = 2048L * 1536;
        LayerCost big = layer("dense", w, 0, w, 8, w + 1536 * 8, 2048, 1536, 8);
        assertFalse(mcu.estimate(List.of(big)).fitsMemory());
        // the same weights fit the Pi 4
        assertTrue(new SimulatedDevice(ProfileRegistry.builtIn().get("rpi4")).estimate(List.of(big)).fitsMemory());
        // activations over the 1.19 MB of RAM do not fit either: 800 k INT8 elements in and out
        LayerCost wide = layer("conv", 1000, 0, 100, 8, 200, 800_000, 800_000, 8);
        assertFalse(mcu.estimate(List.of(wide)).fitsMemory());
        // and MobileNetV1 at 224 (4.3 MB of INT8 weights) does not fit
        assertFalse(mcu.estimate(AnchorNetworks.build("mobilenet_v1_224", AnchorNetworks.Precision.INT8)).fitsMemory());
    }

    @Test
    void rpi5IsFasterButDrawsMorePower() {
        HardwareProfile rpi4 = ProfileRegistry.builtIn().get("rpi4");
        HardwareProfile rpi5 = ProfileRegistry.builtIn().get("rpi5");
        List<LayerCost> layers = List.of(layer("conv", 5_000_000, 0, 10_000, 1000, 1000));
        SimulatedDevice.Estimate e4 = new SimulatedDevice(rpi4).estimate(layers);
        SimulatedDevice.Estimate e5 = new SimulatedDevice(rpi5).estimate(layers);
        assertEquals(seconds(rpi5, 1e7, 10_000 + 8000) * 1e3, e5.latencyMs(), 1e-12);
        assertTrue(e5.latencyMs() < e4.latencyMs());
        assertEquals(11.0 * e5.latencyMs(), e5.energyMj(), 1e-12);
    }

    @Test
    void fusionKeepsThePoolsTensorsOutOfDramOnDevicesThatFuse() {
        // conv writes 1000 float elements, the pool reads them and writes 250
        LayerCost conv = layer("conv", 100_000, 1000, 500, 32, 2000, 400, 1000, 32);
        LayerCost pool = layer("pool", 0, 1000, 0, 32, 0, 1000, 250, 32);
        List<LayerCost> net = List.of(conv, pool);
        HardwareProfile separate = profile(0, 0, List.of("activation"), null, false, null, 0, 0, 0, null);
        HardwareProfile fused = profile(0, 0, List.of("activation", "pool"), null, false, null, 0, 0, 0, null);

        SimulatedDevice.Estimate s = new SimulatedDevice(separate).estimate(net);
        SimulatedDevice.Estimate f = new SimulatedDevice(fused).estimate(net);
        assertEquals(2, s.kernels());
        assertEquals(1, f.kernels());
        // separately: conv (2000 weights + 4*400 in + 4*1000 out) + pool (4*1000 in + 4*250 out)
        assertEquals(2000 + 1600 + 4000 + 4000 + 1000, s.offChipBytes(), 1e-9);
        // fused: the 1000-element tensor is neither written nor read back
        assertEquals(2000 + 1600 + 1000, f.offChipBytes(), 1e-9);
        assertEquals(s.offChipBytes() - 8 * 1000, f.offChipBytes(), 1e-9);
        assertEquals(List.of(List.of(0, 1)), new SimulatedDevice(fused).kernels(net).stream().map(SimulatedDevice.Kernel::layers).toList());
        assertTrue(f.latencyMs() < s.latencyMs());

        // the built-in Edge TPU fuses pooling, the Pi 4 does not
        assertTrue(ProfileRegistry.builtIn().get("coral-edgetpu").fuses("pool"));
        assertFalse(ProfileRegistry.builtIn().get("rpi4").fuses("pool"));
        // a fused add still reads its other operand: conv out 1000, add reads 2000 (1000 of them the skip tensor)
        HardwareProfile gpuLike = profile(0, 0, List.of("activation", "add"), null, false, null, 0, 0, 0, null);
        LayerCost add = layer("add", 0, 1000, 0, 32, 0, 2000, 1000, 32);
        SimulatedDevice.Estimate a = new SimulatedDevice(gpuLike).estimate(List.of(conv, add));
        assertEquals(1, a.kernels());
        assertEquals(2000 + 1600 + 4000 + 4000, a.offChipBytes(), 1e-9);
    }

    @Test
    void int8ArithmeticOnlyWhenWeightsAndActivationsAreBothEightBit() {
        // compute-bound layer: 1e8 MACs; float peak 100 GFLOPS x 0.5, INT8 peak 400 GOPS x 0.25
        HardwareProfile p = profile(400, 0.25, null, null, false, null, 0, 0, 0, null);
        double floatMs = 2e8 / (100e9 * 0.5) * 1e3 + 1e-3;
        double int8Ms = 2e8 / (400e9 * 0.25) * 1e3 + 1e-3;
        SimulatedDevice d = new SimulatedDevice(p);
        LayerCost both8 = layer("conv", 100_000_000, 0, 1000, 8, 1000, 10, 10, 8);
        LayerCost weightOnly = layer("conv", 100_000_000, 0, 1000, 8, 1000, 10, 10, 32);
        LayerCost activationOnly = layer("conv", 100_000_000, 0, 1000, 32, 4000, 10, 10, 8);
        LayerCost fourBit = layer("conv", 100_000_000, 0, 1000, 4, 500, 10, 10, 8);
        assertEquals(int8Ms, d.estimate(List.of(both8)).latencyMs(), 1e-9);
        assertEquals(int8Ms, d.estimate(List.of(fourBit)).latencyMs(), 1e-9);
        assertEquals(floatMs, d.estimate(List.of(weightOnly)).latencyMs(), 1e-9);
        assertEquals(floatMs, d.estimate(List.of(activationOnly)).latencyMs(), 1e-9);
        assertTrue(both8.int8Compute() && fourBit.int8Compute());
        assertFalse(weightOnly.int8Compute() || activationOnly.int8Compute());
        // a pool has no weights: 8-bit activations are enough
        assertTrue(layer("pool", 0, 10, 0, 32, 0, 40, 10, 8).int8Compute());
        // INT8 peak absent = the float peak, and INT8 efficiency absent = the efficiency
        HardwareProfile noInt8 = profile(0, 0, null, null, false, null, 0, 0, 0, null);
        assertEquals(floatMs, new SimulatedDevice(noInt8).estimate(List.of(both8)).latencyMs(), 1e-9);
    }

    @Test
    void edgeTpuFallsBackToTheCpuFromTheFirstUnsupportedOp() {
        HardwareProfile tpu = ProfileRegistry.builtIn().get("coral-edgetpu");
        SimulatedDevice d = new SimulatedDevice(tpu);
        List<LayerCost> supported = new ArrayList<>(AnchorNetworks.build("mobilenet_v1_224", AnchorNetworks.Precision.INT8));
        List<LayerCost> withUnsupported = new ArrayList<>(supported);
        // an op the Edge TPU does not map (a custom layer) early in the network: it and everything after run on the host
        LayerCost first = supported.get(0);
        withUnsupported.add(1, new LayerCost(1, "custom", "CustomLayer", 0, first.outputElements(), 0, 0, 0, 32, 0,
                first.outputElements(), first.outputElements(), 8));
        SimulatedDevice.Estimate ok = d.estimate(supported);
        SimulatedDevice.Estimate fb = d.estimate(withUnsupported);
        assertEquals(-1, ok.fallbackFromLayer());
        assertEquals(1, fb.fallbackFromLayer());
        assertEquals(1, fb.kernels(), "only the first conv ran on the Edge TPU");
        assertTrue(fb.latencyMs() > 10 * ok.latencyMs(), ok + " vs " + fb);
        // the fallback runs the remaining ops at the host's effective rate, plus the hand-over
        double hostSeconds = 0;
        for (int i = 1; i < withUnsupported.size(); i++) {
            hostSeconds += withUnsupported.get(i).ops() / (tpu.fallback().effectiveGops() * 1e9);
        }
        assertTrue(fb.latencyMs() > hostSeconds * 1e3);
        // the same unsupported op at the very end costs only the tail on the host
        List<LayerCost> atEnd = new ArrayList<>(supported);
        LayerCost last = supported.get(supported.size() - 1);
        atEnd.add(new LayerCost(0, "custom", "CustomLayer", 0, last.outputElements(), 0, 0, 0, 32, 0, last.outputElements(),
                last.outputElements(), 8));
        SimulatedDevice.Estimate tail = d.estimate(atEnd);
        assertEquals(supported.size(), tail.fallbackFromLayer());
        assertTrue(tail.latencyMs() > ok.latencyMs() && tail.latencyMs() < fb.latencyMs());
        // a float network cannot run on the Edge TPU at all: everything falls back from layer 0
        SimulatedDevice.Estimate fp = d.estimate(AnchorNetworks.build("mobilenet_v1_224", AnchorNetworks.Precision.FP32));
        assertEquals(0, fp.fallbackFromLayer());
        assertEquals(0, fp.kernels());
        assertTrue(fp.latencyMs() > 10 * ok.latencyMs());
        assertEquals(tpu.fallback().activePowerW() * fp.latencyMs() + tpu.energy().staticPowerW() * fp.latencyMs(), fp.energyMj(), 1e-9);
    }

    @Test
    void bottomUpEnergyIsTheHandComputedSum() {
        HardwareProfile.Energy model = new HardwareProfile.Energy("bottom-up", 4.0, 0.5, 1.0, 0.1, 100.0, 10.0, 0.25);
        // 1 MB on-chip: the layer's 1000 weight bytes are resident, its 2 x 500 activation bytes fit in the rest
        HardwareProfile p = profile(400, 0.25, null, null, false, null, 0, 1_000_000, 0, model);
        LayerCost l = layer("conv", 2_000_000, 5_000, 1000, 8, 1000, 500, 500, 8);
        SimulatedDevice.Estimate e = new SimulatedDevice(p).estimate(List.of(l));
        // latency: 2 x 2e6 + 5000 = 4.005e6 ops at 400 GOPS x 0.25 = 40.05 us (no off-chip bytes) + 1 us dispatch
        double seconds = 4.005e6 / 100e9 + 1e-6;
        assertEquals(seconds * 1e3, e.latencyMs(), 1e-12);
        assertEquals(0.0, e.offChipBytes());
        assertEquals(2000.0, e.onChipBytes());
        // energy: 2e6 MACs x 0.5 pJ + 5000 ops x 0.1 pJ + 2000 on-chip bytes x 10 pJ + 0.25 W x 41.05 us
        double joules = 2e6 * 0.5e-12 + 5000 * 0.1e-12 + 2000 * 10e-12 + 0.25 * seconds;
        assertEquals(joules * 1e3, e.energyMj(), 1e-15);
        assertEquals(0.0010205 + 0.25 * 41.05e-6 * 1e3, e.energyMj(), 1e-12);

        // with no on-chip memory the same bytes go to DRAM at 100 pJ/B (and at 10 GB/s: 0.2 us, still compute-bound)
        HardwareProfile dram = profile(400, 0.25, null, null, false, null, 0, 0, 0, model);
        SimulatedDevice.Estimate d = new SimulatedDevice(dram).estimate(List.of(l));
        assertEquals(2000.0, d.offChipBytes());
        assertEquals((2e6 * 0.5e-12 + 5000 * 0.1e-12 + 2000 * 100e-12 + 0.25 * seconds) * 1e3, d.energyMj(), 1e-15);
        // a float layer costs the float MAC and op energies
        LayerCost f = layer("conv", 2_000_000, 5_000, 1000, 32, 4000, 500, 500, 32);
        SimulatedDevice.Estimate fe = new SimulatedDevice(dram).estimate(List.of(f));
        double fs = 4.005e6 / 50e9 + 1e-6;
        assertEquals((2e6 * 4e-12 + 5000 * 1e-12 + (4000 + 4000) * 100e-12 + 0.25 * fs) * 1e3, fe.energyMj(), 1e-15);
    }

    @Test
    void onChipWeightsAvoidOffChipTraffic() {
        // two layers of 600 kB weights and 1 MB on-chip: the first is resident, the second streams
        HardwareProfile p = profile(400, 0.25, List.of(), null, false, null, 0, 1_000_000, 0, null);
        LayerCost a = layer("conv", 1000, 0, 600_000, 8, 600_000, 10, 10, 8);
        LayerCost b = layer("conv", 1000, 0, 600_000, 8, 600_000, 10, 10, 8);
        List<SimulatedDevice.Kernel> k = new SimulatedDevice(p).kernels(List.of(a, b));
        assertEquals(600_000 + 20, k.get(0).onChipBytes(), 1e-9);
        assertEquals(0.0, k.get(0).offChipBytes());
        assertEquals(600_000.0, k.get(1).offChipBytes(), 1e-9);
        assertEquals(20.0, k.get(1).onChipBytes(), 1e-9);
    }

    @Test
    void reshapesAndIdentitiesRunNoKernelAndNeverSendTheNetworkToTheFallback() {
        // a device without the data class: a reshape or dropout would otherwise hand everything after it to the CPU
        HardwareProfile p = profile(0, 0, List.of("activation"), List.of("conv", "dense", "elementwise"), false,
                new HardwareProfile.Fallback("cpu", 1.0, 1.0, 10.0), 0, 0, 0, null);
        LayerCost conv = layer("conv", 100_000, 0, 500, 32, 2000, 400, 1000, 32);
        LayerCost drop = layer("identity", 0, 0, 0, 32, 0, 1000, 1000, 32);
        LayerCost relu = layer("activation", 0, 1000, 0, 32, 0, 1000, 1000, 32);
        LayerCost flat = layer("reshape", 0, 0, 0, 32, 0, 1000, 1000, 32);
        LayerCost dense = layer("dense", 10_000, 10, 10_000, 32, 40_000, 1000, 10, 32);
        SimulatedDevice d = new SimulatedDevice(p);
        SimulatedDevice.Estimate with = d.estimate(List.of(conv, drop, relu, flat, dense));
        SimulatedDevice.Estimate without = d.estimate(List.of(conv, relu, dense));
        assertEquals(-1, with.fallbackFromLayer());
        assertEquals(2, with.kernels());
        // the ReLU still fuses into the conv across the dropout; positions are those of the full list
        assertEquals(List.of(List.of(0, 2), List.of(4)),
                d.kernels(List.of(conv, drop, relu, flat, dense)).stream().map(SimulatedDevice.Kernel::layers).toList());
        assertEquals(without.latencyMs(), with.latencyMs(), 1e-15);
        assertEquals(without.offChipBytes(), with.offChipBytes(), 1e-9);
        assertTrue(OpKinds.isNoOp("reshape") && OpKinds.isNoOp("identity") && !OpKinds.isNoOp("pad") && !OpKinds.isNoOp("concat"));
        assertEquals(OpKinds.DATA, OpKinds.opClass("identity"));
        assertEquals(OpKinds.DATA, OpKinds.opClass("pad"));
        assertEquals(OpKinds.ELEMENTWISE, OpKinds.opClass("mul"));
    }
}

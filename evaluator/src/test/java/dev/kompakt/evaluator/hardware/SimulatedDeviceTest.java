package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.LayerCost;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedDeviceTest {
    private static final HardwareProfile RPI4 = ProfileRegistry.builtIn().get("rpi4");

    private static LayerCost layer(String name, long macs, long otherOps, long storage, long in, long out) {
        return new LayerCost(0, name, "test", macs, otherOps, 0, 0, 0, 32, storage, in, out);
    }

    /** The roofline of one layer, written out from the profile's numbers. */
    private static double seconds(HardwareProfile p, double flops, double bytes) {
        double compute = flops / (p.peakGflopsFp32() * 1e9 * p.efficiency());
        double memory = bytes / (p.memoryBandwidthGBs() * 1e9);
        return Math.max(compute, memory) + p.dispatchOverheadUs() / 1e6;
    }

    @Test
    void latencyIsTheRooflineSumAndEnergyIsPowerTimesLatency() {
        assertEquals(96.0, RPI4.peakGflopsFp32());
        assertEquals(0.25, RPI4.efficiency());
        assertEquals(2.8, RPI4.memoryBandwidthGBs());
        assertEquals(5.0, RPI4.dispatchOverheadUs());
        assertEquals(5.0, RPI4.activePowerW());

        // compute-bound: 2e6 FLOPs at 24 GFLOPS = 83.33 us vs 1000 + 4*200 = 1800 bytes at 2.8 GB/s = 0.64 us
        LayerCost conv = layer("conv", 1_000_000, 0, 1000, 100, 100);
        // memory-bound: 1000 ops = 0.04 us vs 4 * 1.25e6 = 5e6 bytes = 1785.71 us
        LayerCost pool = layer("pool", 0, 1000, 0, 1_000_000, 250_000);
        List<LayerCost> layers = List.of(conv, pool);

        double expectedSeconds = seconds(RPI4, 2.0 * 1_000_000, 1000 + 4.0 * 200)
                + seconds(RPI4, 1000, 4.0 * 1_250_000);
        SimulatedDevice.Estimate e = new SimulatedDevice(RPI4).estimate(layers);
        assertEquals(expectedSeconds * 1e3, e.latencyMs(), 1e-12);
        // the same numbers by hand: 83.333 + 5 + 1785.714 + 5 us
        assertEquals((2e6 / 24e9 + 5e-6 + 5e6 / 2.8e9 + 5e-6) * 1e3, e.latencyMs(), 1e-12);
        assertEquals(1.879048, e.latencyMs(), 1e-6);
        // energy: P * t, W * ms = mJ
        assertEquals(RPI4.activePowerW() * e.latencyMs(), e.energyMj(), 1e-12);
        assertTrue(e.fitsMemory());
    }

    @Test
    void emptyNetworkCostsNothing() {
        SimulatedDevice.Estimate e = new SimulatedDevice(RPI4).estimate(List.of());
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
        // on the Pi 4: storage beyond its 4 GB
        assertFalse(new SimulatedDevice(RPI4).estimate(List.of(layer("huge", 0, 0, RPI4.memoryBytes() + 1, 0, 0))).fitsMemory());
    }

    @Test
    void rpi5IsFasterButDrawsMorePower() {
        HardwareProfile rpi5 = ProfileRegistry.builtIn().get("rpi5");
        List<LayerCost> layers = List.of(layer("conv", 5_000_000, 0, 10_000, 1000, 1000));
        SimulatedDevice.Estimate e4 = new SimulatedDevice(RPI4).estimate(layers);
        SimulatedDevice.Estimate e5 = new SimulatedDevice(rpi5).estimate(layers);
        assertEquals(seconds(rpi5, 1e7, 10_000 + 8000) * 1e3, e5.latencyMs(), 1e-12);
        assertTrue(e5.latencyMs() < e4.latencyMs());
        assertEquals(11.0 * e5.latencyMs(), e5.energyMj(), 1e-12);
    }
}

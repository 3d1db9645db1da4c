package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.LayerCost;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnchorBenchmarkTest {
    private static final List<AnchorBenchmark.Row> ROWS = AnchorBenchmark.rows(ProfileRegistry.builtIn());

    /**
     * Held-out anchors known to miss (none since the Pi anchors' SSD-MobileNetV2 is built from the quantized zoo
     * config, which the TFLite benchmark measured, instead of the float model's 3x3-predictor config: see rpi4.json).
     */
    private static final Set<String> KNOWN_MISSES = Set.of();

    @Test
    void everyCalibrationAnchorIsReproducedWithinThirtyPercent() {
        List<AnchorBenchmark.Row> calibration = ROWS.stream().filter(r -> HardwareProfile.Anchor.CALIBRATION.equals(r.role())).toList();
        assertTrue(calibration.size() >= 9, calibration.toString());
        for (AnchorBenchmark.Row r : calibration) {
            assertTrue(r.hasPrediction(), r.toString());
            assertTrue(r.within(), r.profile() + " " + r.anchor() + ": predicted " + r.predictedMs() + " ms vs published "
                    + r.publishedMs() + " ms (" + r.errorPct() + "%)");
        }
        // every profile with anchors has a calibration anchor; the ones without print "no anchor"
        Set<String> calibrated = calibration.stream().map(AnchorBenchmark.Row::profile).collect(Collectors.toSet());
        assertEquals(Set.of("rpi4", "rpi5", "jetson-orin-nano", "coral-edgetpu", "snapdragon-npu", "stm32h7"), calibrated);
        Set<String> none = ROWS.stream().filter(r -> r.anchor().isEmpty()).map(AnchorBenchmark.Row::profile).collect(Collectors.toSet());
        assertEquals(Set.of("xeon-vnni", "a100", "h100"), none);
        ROWS.stream().filter(r -> r.anchor().isEmpty()).forEach(r -> {
            assertFalse(r.hasPrediction());
            assertTrue(r.note().startsWith("no anchor"), r.note());
        });
    }

    @Test
    void heldOutAnchorsAndPublishedEnergies() {
        for (AnchorBenchmark.Row r : ROWS) {
            if (!HardwareProfile.Anchor.CHECK.equals(r.role())) {
                continue;
            }
            assertTrue(r.hasPrediction(), r.toString());
            if (KNOWN_MISSES.contains(r.profile() + "/" + r.network())) {
                assertTrue(r.errorPct() > 30, "a known miss that now fits: update KNOWN_MISSES and the profile source. " + r);
            } else {
                assertTrue(r.within(), r.toString());
            }
        }
        // the STM32's published MLPerf Tiny energies (8.7 / 7.98 / 2.72 mJ), one of them calibrating static power
        List<AnchorBenchmark.Row> energy = ROWS.stream().filter(r -> !Double.isNaN(r.publishedMj())).toList();
        assertEquals(3, energy.size());
        for (AnchorBenchmark.Row r : energy) {
            assertTrue(Math.abs(r.energyErrorPct()) <= 30, r.toString());
        }
    }

    @Test
    void anchorNetworksMatchTheirPublishedSize() {
        // MACs and parameters as published: MobileNetV1 569 M / 4.2 M, MobileNetV2 300 M / 3.4-3.5 M (1001 classes),
        // YOLOv8n/s/m 8.7 / 28.6 / 78.9 GFLOPs and 3.2 / 11.2 / 25.9 M parameters, MLPerf Tiny IC ResNet about 12.5 M MACs
        assertNetwork("mobilenet_v1_224", 569e6, 4.2e6);
        assertNetwork("mobilenet_v2_224", 300e6, 3.47e6);
        assertNetwork("yolov8n_640", 8.7e9 / 2, 3.2e6);
        assertNetwork("yolov8s_640", 28.6e9 / 2, 11.2e6);
        assertNetwork("yolov8m_640", 78.9e9 / 2, 25.9e6);
        assertNetwork("mlperf_tiny_ic_resnet8", 12.5e6, 78e3);
        // the INT8 SSD-MobileNetV1 0.75 weighs what the benchmark's tflite file does (4,183,440 bytes)
        List<LayerCost> ssd = AnchorNetworks.build("ssd_mobilenet_v1_0.75_300", AnchorNetworks.Precision.INT8);
        assertEquals(4_183_440, CostModel.totalParameters(ssd), 0.03 * 4_183_440);
        // SSD-MobileNetV2: the quantized zoo config (the TFLite anchors) has standard extra layers and 1x1 predictors, so
        // only the backbone's 17 depthwise convs; the float config adds 4 depthwise extra layers and 3x3 predictors
        List<LayerCost> quantized = AnchorNetworks.build("ssd_mobilenet_v2_quantized_300", AnchorNetworks.Precision.INT8);
        List<LayerCost> floatModel = AnchorNetworks.build("ssd_mobilenet_v2_300", AnchorNetworks.Precision.INT8);
        assertEquals(17, quantized.stream().filter(l -> l.kind().equals("depthwise")).count());
        assertEquals(21, floatModel.stream().filter(l -> l.kind().equals("depthwise")).count());
        LayerCost firstClass = quantized.stream().filter(l -> l.name().equals("predictor0/class")).findFirst().orElseThrow();
        assertEquals(576L * 3 * 91, firstClass.weights(), "1x1 predictor on the 19x19x576 layer_15 expansion output");
        assertTrue(CostModel.totalMacs(quantized) < 0.45 * CostModel.totalMacs(floatModel));
        // depthwise layers are their own op kind, and every layer carries the precision it was built at
        List<LayerCost> v1 = AnchorNetworks.build("mobilenet_v1_224", AnchorNetworks.Precision.INT8);
        assertEquals(13, v1.stream().filter(l -> l.kind().equals("depthwise")).count());
        assertTrue(v1.stream().allMatch(LayerCost::int8Compute));
        assertTrue(AnchorNetworks.build("mobilenet_v1_224", AnchorNetworks.Precision.FP32).stream().noneMatch(LayerCost::int8Compute));
        assertThrows(IllegalArgumentException.class, () -> AnchorNetworks.build("resnet50", AnchorNetworks.Precision.FP32));
    }

    private static void assertNetwork(String id, double macs, double params) {
        List<LayerCost> l = AnchorNetworks.build(id, AnchorNetworks.Precision.FP32);
        assertEquals(macs, CostModel.totalMacs(l), 0.02 * macs, id + " MACs");
        assertEquals(params, CostModel.totalParameters(l), 0.02 * params, id + " parameters");
    }

    @Test
    void theFitReproducesTheAnchorAndTheTablePrints() {
        HardwareProfile coral = ProfileRegistry.builtIn().get("coral-edgetpu");
        HardwareProfile.Anchor v1 = coral.anchors().get(0);
        AnchorBenchmark.Row r = AnchorBenchmark.row(coral, v1);
        HardwareProfile refit = coral.withEfficiencies(coral.efficiency(), r.fittedEfficiency());
        double ms = new SimulatedDevice(refit).estimate(AnchorNetworks.build(v1.network(), AnchorNetworks.Precision.INT8)).latencyMs();
        assertEquals(v1.latencyMs(), ms, 1e-6);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AnchorBenchmark.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), ROWS, true);
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("a100              no anchor"), table);
        assertTrue(table.contains("mlperf_tiny_ic_resnet8"), table);
        assertTrue(table.contains("8.70 / "), table);
        assertEquals(ROWS.size() + 1, table.lines().count());
    }
}

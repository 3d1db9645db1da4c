package dev.kompakt.evaluator.onnx;

import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.TestData;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostCalibrationTest {
    @Test
    void calibratesOncePerJvmAndPredictsItsOwnMicroBenchmarks() {
        HostCalibration c = HostCalibration.forThisJvm(1);
        System.out.println(c.describe());
        c.points().forEach(p -> System.out.printf("  %-12s %,10d MACs  measured %.4f ms  fitted %.4f ms  (%+.1f%%)%n", p.name(), p.macs(),
                p.measuredMs(), p.fittedMs(), 100 * p.relativeError()));
        assertTrue(HostCalibration.isCached(1));
        assertSame(c, HostCalibration.forThisJvm(1), "cached for the JVM's life");
        assertEquals(2 * 4 * 2, c.points().size(), "two families x four widths x float32 and INT8");
        assertEquals(8, c.points().stream().filter(HostCalibration.Point::int8).count());
        assertTrue(c.seconds() > 0 && c.seconds() < 60, "calibration took " + c.seconds() + " s");
        // loose: a shared, noisy test machine; HostLatencyBenchmark holds the tight out-of-sample numbers
        assertTrue(c.maxRelativeError() < 0.5, c.describe());
        for (HostCalibration.Point p : c.points()) {
            assertTrue(p.measuredMs() > 0 && p.fittedMs() > 0, p.toString());
        }
        assertFalse(c.cpu().isBlank());
        assertTrue(c.describe().contains(c.raplReadable() ? "energy from RAPL" : "energy from the model"), c.describe());
    }

    @Test
    void evaluatorReportsThePredictedHostLatencyAndTheFitQuality() {
        HostCalibration c = HostCalibration.forThisJvm(1);
        SampleSet train = TestData.bundled().train().stratified(100);
        SampleSet test = TestData.bundled().test().stratified(100);
        Architecture arch = new Architecture(Architecture.Family.MLP, 0.5);
        ComputationGraph baseline = NetworkFactory.build(arch, 28, 28, 10, 7, 3e-3, null);
        long size = CostModel.totalStorageBytes(GraphCostModel.of(baseline, NetworkFactory.inputType(arch, 28, 28), Map.of()));
        EvaluationContext context = new EvaluationContext(baseline, train, test, 0.1, size, List.of());
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(20, 100), c)
                .evaluate(CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 3e-3, 100), 1);
        assertEquals(c.maxRelativeError(), m.get("host_calibration_max_error"));
        double predicted = m.get("latency_pred_ms@host");
        double measured = m.get("latency_ms@host");
        assertTrue(predicted > 0, m.toString());
        // the MLP at width 0.5 lies inside the micro-benchmarks' range; loose bound for a shared machine
        assertTrue(predicted > measured / 3 && predicted < measured * 3, "predicted " + predicted + " ms vs measured " + measured + " ms");
        assertTrue(m.containsKey("energy_measured@host"));
        // without a calibration there is no prediction
        Map<String, Double> plain = new CandidateEvaluator(context, new LatencyProbe(2, 5))
                .evaluate(CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 3e-3, 100), 1);
        assertFalse(plain.containsKey("latency_pred_ms@host"));
    }
}

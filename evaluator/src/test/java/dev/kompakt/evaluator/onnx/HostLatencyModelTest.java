package dev.kompakt.evaluator.onnx;

import dev.kompakt.evaluator.cost.LayerCost;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealVector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostLatencyModelTest {
    @Test
    void nonNegativeLeastSquaresMatchesAHandSolvedCase() {
        // min |Ax - b| with x >= 0 for A = I, b = (1, -2, 3): the unconstrained optimum is b, clipped at 0 -> (1, 0, 3)
        RealVector x = HostLatencyModel.nonNegativeLeastSquares(new Array2DRowRealMatrix(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}),
                new ArrayRealVector(new double[] {1, -2, 3}));
        assertEquals(1, x.getEntry(0), 1e-8); // the 1e-9 ridge on passive columns
        assertEquals(0, x.getEntry(1), 1e-12);
        assertEquals(3, x.getEntry(2), 1e-8);
    }

    @Test
    void fitRecoversKnownCostsFromExactSamples() {
        // latency_us = 5 per call + 2 per kernel + 1e-5 per float dense MAC + 0.01 per pool output; weights stay within cache
        Random random = new Random(3);
        List<HostLatencyModel.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long macs = 1000 + random.nextInt(200_000);
            long poolOut = random.nextInt(5000);
            List<LayerCost> layers = List.of(
                    new LayerCost(0, "fc", "dense", macs, 0, 1000, 1000, 10, 32, 4000, 100, 10),
                    new LayerCost(1, "pool", "pool", 0, poolOut * 4, 0, 0, 0, 32, 0, poolOut * 4, poolOut));
            double us = 5 + 2 * 2 + 1e-5 * macs + 0.01 * poolOut;
            samples.add(new HostLatencyModel.Sample(layers, Set.of(), us / 1000));
        }
        HostLatencyModel m = HostLatencyModel.fit(samples, 1L << 30);
        for (HostLatencyModel.Sample s : samples) {
            assertEquals(s.measuredMs(), m.predictMs(s.layers(), Set.of()), 1e-3 * s.measuredMs());
        }
        for (double c : m.coefficients()) {
            assertTrue(c >= 0, "every fitted cost is non-negative");
        }
    }
}

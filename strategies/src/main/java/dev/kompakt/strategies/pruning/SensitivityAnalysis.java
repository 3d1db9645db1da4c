package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.WeightTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Per-layer pruning sensitivity (Han et al., NeurIPS 2015, Fig. 6; Distiller's sensitivity analysis): each weight
 * tensor is pruned alone, by magnitude, at a list of sparsities, and the network is scored (e.g. validation accuracy)
 * without fine-tuning; {@link #allocate} then turns the curves into per-layer sparsities that reach a global target
 * where it hurts least. Layers whose accuracy collapses early keep their weights; robust (often large) layers give
 * more.
 */
public final class SensitivityAnalysis {
    private SensitivityAnalysis() {
    }

    /** The score of the network with only this layer pruned, at each sparsity (the first point is sparsity 0). */
    public record Curve(String tensor, long weights, double[] sparsities, double[] scores) {
        public Curve {
            sparsities = sparsities.clone();
            scores = scores.clone();
            if (sparsities.length != scores.length || sparsities.length < 2 || sparsities[0] != 0) {
                throw new IllegalArgumentException("a sensitivity curve needs scores at sparsity 0 and at least one more sparsity");
            }
        }

        /** The score at sparsity {@code s}, linearly interpolated between measured points (flat beyond the last one). */
        public double scoreAt(double s) {
            for (int i = 1; i < sparsities.length; i++) {
                if (s <= sparsities[i]) {
                    double f = (s - sparsities[i - 1]) / (sparsities[i] - sparsities[i - 1]);
                    return scores[i - 1] + f * (scores[i] - scores[i - 1]);
                }
            }
            return scores[scores.length - 1];
        }
    }

    /**
     * Measures every layer's curve at {@code sparsities} (increasing, in (0, 1)); {@code score} is called on the
     * network with one layer pruned (higher is better) and the weights are restored after each call.
     */
    public static List<Curve> measure(ComputationGraph net, double[] sparsities, ToDoubleFunction<ComputationGraph> score) {
        for (int i = 0; i < sparsities.length; i++) {
            if (!(sparsities[i] > 0 && sparsities[i] < 1) || (i > 0 && sparsities[i] <= sparsities[i - 1])) {
                throw new IllegalArgumentException("sensitivity sparsities must increase within (0, 1), got " + java.util.Arrays.toString(sparsities));
            }
        }
        double base = score.applyAsDouble(net);
        List<Curve> curves = new ArrayList<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            double[] s = new double[sparsities.length + 1];
            double[] v = new double[sparsities.length + 1];
            v[0] = base;
            for (int i = 0; i < sparsities.length; i++) {
                ComputationGraph copy = net.clone();
                MagnitudePruner.pruneLayers(copy, Map.of(t.id(), sparsities[i]));
                s[i + 1] = sparsities[i];
                v[i + 1] = score.applyAsDouble(copy);
            }
            curves.add(new Curve(t.id(), t.weights().length(), s, v));
        }
        return curves;
    }

    /**
     * Per-layer sparsities whose weighted mean is {@code target}: starting from dense, it repeatedly raises, by
     * {@code step}, the sparsity of the layer whose curve loses the least score per weight removed, never above the
     * last measured sparsity of a layer. Greedy on interpolated curves; exact in the total up to one step of the
     * last layer raised, which is then trimmed to hit the target.
     */
    public static Map<String, Double> allocate(List<Curve> curves, double target, double step) {
        if (!(target >= 0 && target < 1)) {
            throw new IllegalArgumentException("target sparsity must be in [0, 1), got " + target);
        }
        if (!(step > 0 && step < 1)) {
            throw new IllegalArgumentException("allocation step must be in (0, 1), got " + step);
        }
        long total = curves.stream().mapToLong(Curve::weights).sum();
        double[] level = new double[curves.size()];
        double pruned = 0;
        double wanted = target * total;
        while (pruned < wanted - 1e-9) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int i = 0; i < curves.size(); i++) {
                Curve c = curves.get(i);
                double max = c.sparsities()[c.sparsities().length - 1];
                double next = Math.min(max, level[i] + step);
                if (next <= level[i]) {
                    continue;
                }
                double removed = (next - level[i]) * c.weights();
                double cost = (c.scoreAt(level[i]) - c.scoreAt(next)) / removed;
                if (cost < bestCost) {
                    bestCost = cost;
                    best = i;
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException("target sparsity " + target + " is above what the measured curves reach");
            }
            Curve c = curves.get(best);
            double max = c.sparsities()[c.sparsities().length - 1];
            double next = Math.min(max, level[best] + step);
            double removed = (next - level[best]) * c.weights();
            if (pruned + removed > wanted) {
                next = level[best] + (wanted - pruned) / c.weights();
                removed = wanted - pruned;
            }
            level[best] = next;
            pruned += removed;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < curves.size(); i++) {
            out.put(curves.get(i).tensor(), level[i]);
        }
        return out;
    }
}

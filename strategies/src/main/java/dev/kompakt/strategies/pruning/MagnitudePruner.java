package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.WeightTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Unstructured magnitude pruning (Han et al. 2015). Global: one threshold over all weight tensors, so
 * layers with many small weights lose more; per-layer: the same sparsity in every tensor. Pruned weights
 * are set to zero and a mask is returned to keep them at zero while fine-tuning. Exactly
 * {@code round(sparsity * n)} weights are removed (ties broken by position), so the reached sparsity is
 * the target up to one weight.
 */
public final class MagnitudePruner {
    public enum Scope { GLOBAL, PER_LAYER }

    private final Scope scope;

    public MagnitudePruner(Scope scope) {
        this.scope = scope;
    }

    public PruningMasks prune(ComputationGraph net, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("pruning sparsity must be in [0, 1), got " + sparsity);
        }
        List<WeightTensors.Target> targets = WeightTensors.of(net);
        if (sparsity == 0 || targets.isEmpty()) {
            return PruningMasks.none();
        }
        Map<String, INDArray> masks = new HashMap<>();
        if (scope == Scope.PER_LAYER) {
            for (WeightTensors.Target t : targets) {
                maskSmallest(List.of(t), sparsity, masks);
            }
        } else {
            maskSmallest(targets, sparsity, masks);
        }
        PruningMasks result = new PruningMasks(masks);
        result.apply(net);
        return result;
    }

    /**
     * Per-layer magnitude pruning with a sparsity of its own for each weight tensor, by tensor id ({@link WeightTensors.Target#id()}, as
     * {@link SensitivityAnalysis#allocate} produces); layers not in the map are left dense.
     */
    public static PruningMasks pruneLayers(ComputationGraph net, Map<String, Double> sparsityByLayer) {
        Map<String, INDArray> masks = new HashMap<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            double s = sparsityByLayer.getOrDefault(t.id(), 0.0);
            if (!(s >= 0 && s < 1)) {
                throw new IllegalArgumentException("pruning sparsity of weight tensor " + t.id()
                        + " must be in [0, 1), got " + s);
            }
            if (s > 0) {
                maskSmallest(List.of(t), s, masks);
            }
        }
        for (String layer : sparsityByLayer.keySet()) {
            if (WeightTensors.of(net).stream().noneMatch(t -> t.id().equals(layer))) {
                throw new IllegalArgumentException("the network has no weight tensor '" + layer + "' to prune (its weight tensors: "
                        + WeightTensors.of(net).stream().map(WeightTensors.Target::id).toList() + ")");
            }
        }
        PruningMasks result = new PruningMasks(masks);
        result.apply(net);
        return result;
    }

    /**
     * Masks the {@code round(sparsity * n)} smallest-magnitude weights among all tensors of {@code group}: everything
     * below the threshold magnitude, plus as many weights equal to it as are still needed (first in order).
     */
    private static void maskSmallest(List<WeightTensors.Target> group, double sparsity, Map<String, INDArray> masks) {
        List<float[]> magnitudes = group.stream().map(t -> abs(t.weights())).toList();
        int total = magnitudes.stream().mapToInt(a -> a.length).sum();
        float[] all = new float[total];
        int offset = 0;
        for (float[] a : magnitudes) {
            System.arraycopy(a, 0, all, offset, a.length);
            offset += a.length;
        }
        long toPrune = Math.round(sparsity * total);
        Arrays.sort(all);
        float threshold = all[(int) Math.max(0, Math.min(total - 1, toPrune - 1))];
        long below = 0;
        for (float v : all) {
            if (v < threshold) {
                below++;
            }
        }
        long tiesLeft = toPrune - below;
        for (int g = 0; g < group.size(); g++) {
            WeightTensors.Target t = group.get(g);
            float[] a = magnitudes.get(g);
            float[] keep = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                boolean prune = a[i] < threshold || (a[i] == threshold && tiesLeft > 0);
                if (prune && a[i] == threshold) {
                    tiesLeft--;
                }
                keep[i] = prune ? 0f : 1f;
            }
            masks.put(t.id(), Nd4j.create(keep, t.weights().shape(), t.weights().ordering()).castTo(t.weights().dataType()));
        }
    }

    /** Absolute values in the array's own element order (matching {@code Nd4j.create(.., ordering)}). */
    static float[] abs(INDArray w) {
        return Transforms.abs(w, true).dup(w.ordering()).data().asFloat();
    }

    /** Fraction of exact zeros in each weight tensor, by tensor id, in topological order. */
    public static Map<String, Double> layerSparsity(ComputationGraph net) {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            long nonzero = t.weights().neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
            out.put(t.id(), t.weights().length() == 0 ? 0.0 : (double) (t.weights().length() - nonzero) / t.weights().length());
        }
        return out;
    }

    /** Fraction of exact zeros across all weight tensors. */
    public static double sparsity(ComputationGraph net) {
        long zeros = 0;
        long total = 0;
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            total += t.weights().length();
            zeros += t.weights().length() - t.weights().neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
        }
        return total == 0 ? 0 : (double) zeros / total;
    }
}

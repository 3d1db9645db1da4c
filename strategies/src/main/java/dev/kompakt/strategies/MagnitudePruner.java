package dev.kompakt.strategies;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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

    public PruningMasks prune(MultiLayerNetwork net, double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("pruning sparsity must be in [0, 1), got " + sparsity);
        }
        List<WeightTensors.Target> targets = WeightTensors.of(net);
        if (sparsity == 0 || targets.isEmpty()) {
            return PruningMasks.none();
        }
        Map<Integer, INDArray> masks = new HashMap<>();
        if (scope == Scope.PER_LAYER) {
            for (WeightTensors.Target t : targets) {
                masks.put(t.layerIndex(), maskBelow(t.weights(), kthSmallest(abs(t.weights()), sparsity), countToPrune(t.weights().length(), sparsity)));
            }
        } else {
            long total = targets.stream().mapToLong(t -> t.weights().length()).sum();
            float[] all = new float[Math.toIntExact(total)];
            int offset = 0;
            for (WeightTensors.Target t : targets) {
                float[] a = abs(t.weights());
                System.arraycopy(a, 0, all, offset, a.length);
                offset += a.length;
            }
            long toPrune = countToPrune(total, sparsity);
            float threshold = kthSmallest(all, sparsity);
            // Count how many weights equal the threshold may still be pruned, so ties do not overshoot.
            long below = 0;
            for (float v : all) {
                if (v < threshold) {
                    below++;
                }
            }
            long tiesLeft = toPrune - below;
            for (WeightTensors.Target t : targets) {
                float[] a = abs(t.weights());
                float[] keep = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    if (a[i] < threshold) {
                        keep[i] = 0f;
                    } else if (a[i] == threshold && tiesLeft > 0) {
                        keep[i] = 0f;
                        tiesLeft--;
                    } else {
                        keep[i] = 1f;
                    }
                }
                masks.put(t.layerIndex(), Nd4j.create(keep, t.weights().shape(), t.weights().ordering()).castTo(t.weights().dataType()));
            }
        }
        PruningMasks result = new PruningMasks(masks);
        result.apply(net);
        return result;
    }

    private static long countToPrune(long n, double sparsity) {
        return Math.round(sparsity * n);
    }

    private static INDArray maskBelow(INDArray w, float threshold, long toPrune) {
        float[] a = abs(w);
        long below = 0;
        for (float v : a) {
            if (v < threshold) {
                below++;
            }
        }
        long ties = toPrune - below;
        float[] keep = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] < threshold || (a[i] == threshold && ties-- > 0)) {
                keep[i] = 0f;
            } else {
                keep[i] = 1f;
            }
        }
        return Nd4j.create(keep, w.shape(), w.ordering()).castTo(w.dataType());
    }

    /** Absolute values in the array's own element order (matching {@code Nd4j.create(.., ordering)}). */
    static float[] abs(INDArray w) {
        return Transforms.abs(w, true).dup(w.ordering()).data().asFloat();
    }

    /** The value at rank {@code round(sparsity*n)-1} in ascending order: pruning everything up to it reaches the target. */
    private static float kthSmallest(float[] values, double sparsity) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int k = (int) Math.max(0, Math.min(sorted.length - 1, Math.round(sparsity * sorted.length) - 1));
        return sorted[k];
    }

    /** Fraction of exact zeros across all weight tensors. */
    public static double sparsity(MultiLayerNetwork net) {
        long zeros = 0;
        long total = 0;
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            total += t.weights().length();
            zeros += t.weights().length() - t.weights().neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
        }
        return total == 0 ? 0 : (double) zeros / total;
    }
}

package dev.kompakt.strategies.pruning;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Tensor helpers of structured channel pruning ({@link GraphChannelPruning}, which builds the narrower student of any
 * graph): gathering the kept channels of a weight, bias or batch-norm tensor, the flattened rows a kept channel owns,
 * and the channels a criterion ranks highest. Stateless.
 */
public final class ChannelInheritance {
    private ChannelInheritance() {
    }

    /** The values of {@code v} (in C order) at {@code idx}, all of them when null, as a new C-order array of {@code shape}. */
    static INDArray gather(INDArray v, int[] idx, long[] shape) {
        float[] src = v.dup('c').data().asFloat();
        if (idx == null) {
            return Nd4j.create(src, shape, 'c');
        }
        float[] dst = new float[idx.length];
        for (int k = 0; k < idx.length; k++) {
            dst[k] = src[idx[k]];
        }
        return Nd4j.create(dst, shape, 'c');
    }

    /** The rows of the kept channels of a flattened tensor in which each channel owns {@code inner} consecutive rows (C order). */
    static int[] expand(int[] channels, int inner) {
        return Arrays.stream(channels).flatMap(c -> IntStream.range(0, inner).map(s -> c * inner + s)).toArray();
    }

    /** The sub-array {@code w[rows, cols, ...]} of a rank >= 2 array, as a new C-order array. */
    static INDArray select(INDArray w, int[] rows, int[] cols) {
        long[] shape = w.shape();
        int inner = 1;
        for (int d = 2; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        float[] src = w.dup('c').data().asFloat();
        float[] dst = new float[rows.length * cols.length * inner];
        int n1 = (int) shape[1];
        for (int a = 0; a < rows.length; a++) {
            for (int b = 0; b < cols.length; b++) {
                System.arraycopy(src, (rows[a] * n1 + cols[b]) * inner, dst, (a * cols.length + b) * inner, inner);
            }
        }
        long[] out = shape.clone();
        out[0] = rows.length;
        out[1] = cols.length;
        return Nd4j.create(dst, out, 'c');
    }

    /** Indices of the {@code k} highest scores, in ascending order; ties keep the lower index. */
    static int[] top(double[] scores, int k) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -scores[c]).thenComparingInt(c -> c))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Indices of the {@code k} channels with the largest L1 norm along {@code axis} (0 or 1), in ascending order. */
    static int[] strongest(INDArray w, int axis, int k) {
        return top(ImportanceCriterion.l1().scores(w, axis, null), k);
    }

    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }
}

package dev.kompakt.evaluator.net;

import dev.kompakt.strategies.PruningMasks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;

/** Minibatch training and evaluation loops. Deterministic for a given seed. */
public final class Training {
    private Training() {
    }

    /**
     * Trains for {@code epochs} passes over {@code data} in shuffled minibatches; after every step the
     * pruning masks are applied again so pruned weights stay at zero.
     */
    public static void fit(MultiLayerNetwork net, DataSet data, int epochs, int batchSize, PruningMasks masks, long seed) {
        int n = data.numExamples();
        Random random = new Random(seed);
        for (int e = 0; e < epochs; e++) {
            int[] order = permutation(n, random);
            for (int start = 0; start < n; start += batchSize) {
                int end = Math.min(n, start + batchSize);
                int[] idx = java.util.Arrays.copyOfRange(order, start, end);
                INDArray rows = Nd4j.createFromArray(idx);
                DataSet batch = new DataSet(data.getFeatures().getRows(idx), data.getLabels().getRows(idx));
                rows.close();
                net.fit(batch);
                if (!masks.isEmpty()) {
                    masks.apply(net);
                }
            }
        }
    }

    private static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Network outputs (class probabilities) for every example, computed in batches of 500. */
    public static INDArray predict(MultiLayerNetwork net, INDArray features) {
        long n = features.size(0);
        INDArray out = null;
        for (long start = 0; start < n; start += 500) {
            long end = Math.min(n, start + 500);
            INDArray part = net.output(features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()), false);
            if (out == null) {
                out = Nd4j.create(part.dataType(), n, part.size(1));
            }
            out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(part);
        }
        return out;
    }

    /** dLoss/dW of every layer with weights, by layer index, on one batch (the network's own loss). */
    public static java.util.Map<Integer, INDArray> weightGradients(MultiLayerNetwork net, DataSet batch) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        java.util.Map<Integer, INDArray> out = new java.util.HashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            INDArray g = net.gradient().getGradientFor(i + "_W");
            if (g != null) {
                out.put(i, g.dup());
            }
        }
        net.clear();
        return out;
    }

    /** Top-1 accuracy on a labelled set. */
    public static double accuracy(MultiLayerNetwork net, DataSet data) {
        INDArray predicted = predict(net, data.getFeatures()).argMax(1);
        INDArray actual = data.getLabels().argMax(1);
        long correct = predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
        return (double) correct / data.numExamples();
    }
}

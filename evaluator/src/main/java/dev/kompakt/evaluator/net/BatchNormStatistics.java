package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch-norm statistics measured on data: each {@link BatchNormalization} layer's per-channel mean and (biased)
 * variance of its input, as the network computes it in training mode (each layer normalised by its batch's statistics),
 * averaged over every element of every batch. This is Once-for-All's batch-norm recalibration (Cai et al. 2020,
 * section 3.3: "we re-calibrate the batch norm statistics ... on a subset of training images"), applied to every
 * candidate after its training.
 *
 * <p>Why: DL4J keeps running averages of the batch statistics during training (decay 0.9), and inference, every metric
 * and the ONNX export use those. In networks whose activations still move fast at the end of a short training they can
 * be far from the statistics of the final weights: a ShuffleNet-style network with hard-swish, 61% pruned, trained on
 * 10,000 images x 3 epochs, scored 0.83 on validation images with batch statistics and 0.11 (chance) with its running
 * averages; the same network with statistics measured by this class scored 0.83 at inference (results/nas.md, "Chance-
 * level family networks").
 *
 * <p>Exactness: the statistics of each batch are combined exactly (Chan et al.'s pairwise update, in double), so the
 * result is the mean and variance over all the samples of each layer's training-mode input. Dropout and weight noise are
 * switched off during the passes (inference has neither) and restored afterwards.
 */
public final class BatchNormStatistics {
    /** Samples the statistics are measured on by default (Once-for-All uses 2,000 training images). */
    public static final int SAMPLES = 2000;

    private BatchNormStatistics() {
    }

    /** One layer's statistics per channel. */
    public record Channels(double[] mean, double[] variance) {
    }

    /** Whether {@code net} has a batch-norm layer. */
    public static boolean present(ComputationGraph net) {
        return !layers(net).isEmpty();
    }

    /**
     * Measures every batch-norm layer's input statistics on the rows of {@code features} (flat, as the network takes
     * them) in batches of {@code batchSize}, with the network's weights as they are; changes nothing. Empty when the
     * network has no batch-norm layer.
     */
    public static Map<String, Channels> measure(ComputationGraph net, INDArray features, int batchSize) {
        Map<String, BatchNormalization> layers = layers(net);
        Map<String, Channels> out = new LinkedHashMap<>();
        if (layers.isEmpty()) {
            return out;
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch-norm statistics need batches of at least 2 samples, got " + batchSize);
        }
        ComputationGraphConfiguration conf = net.getConfiguration();
        Map<String, Moments> moments = new LinkedHashMap<>();
        List<Runnable> restore = disableNoise(net);
        try {
            long n = features.size(0);
            for (long start = 0; start < n; start += batchSize) {
                long end = Math.min(n, start + batchSize);
                if (end - start < 2 && start > 0) {
                    break;   // a last batch of one sample has no variance in training mode; the others have the data
                }
                INDArray batch = features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
                Map<String, INDArray> acts = net.feedForward(batch, true);
                for (Map.Entry<String, BatchNormalization> e : layers.entrySet()) {
                    String name = e.getKey();
                    String input = conf.getVertexInputs().get(name).get(0);
                    INDArray in = acts.get(input);
                    if (in == null) {
                        throw new IllegalStateException("no activations of '" + input + "', the input of batch-norm layer '" + name + "'");
                    }
                    InputPreProcessor pre = ((LayerVertex) conf.getVertices().get(name)).getPreProcessor();
                    if (pre != null) {
                        in = pre.preProcess(in, (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
                    }
                    moments.computeIfAbsent(name, k -> new Moments()).add(in, reductionDims(name, e.getValue(), in));
                }
                net.clear();
            }
        } finally {
            restore.forEach(Runnable::run);
        }
        moments.forEach((name, m) -> out.put(name, m.channels()));
        return out;
    }

    /**
     * Sets each named batch-norm layer's running mean and variance (or log10 standard deviation, for layers that keep
     * it) to {@code statistics}.
     */
    public static void assign(ComputationGraph net, Map<String, Channels> statistics) {
        Map<String, BatchNormalization> layers = layers(net);
        for (Map.Entry<String, Channels> e : statistics.entrySet()) {
            BatchNormalization conf = layers.get(e.getKey());
            if (conf == null) {
                throw new IllegalArgumentException("the network has no batch-norm layer '" + e.getKey() + "'");
            }
            Layer layer = net.getLayer(e.getKey());
            INDArray mean = layer.getParam("mean");
            double[] var = e.getValue().variance().clone();
            if (mean.length() != var.length) {
                throw new IllegalArgumentException("batch-norm layer '" + e.getKey() + "' has " + mean.length() + " channels, the statistics "
                        + var.length);
            }
            mean.assign(Nd4j.createFromArray(e.getValue().mean()).castTo(mean.dataType()).reshape(mean.shape()));
            if (conf.isUseLogStd()) {
                // DL4J keeps log10(std) and uses var = std^2 (then adds eps); a constant channel (variance 0, e.g. a
                // pruned one) gets a tiny variance rather than log10(0) = -infinity
                INDArray log10std = layer.getParam("log10stdev");
                for (int c = 0; c < var.length; c++) {
                    var[c] = 0.5 * Math.log10(Math.max(var[c], 1e-30));
                }
                log10std.assign(Nd4j.createFromArray(var).castTo(log10std.dataType()).reshape(log10std.shape()));
            } else {
                INDArray v = layer.getParam("var");
                v.assign(Nd4j.createFromArray(var).castTo(v.dataType()).reshape(v.shape()));
            }
        }
    }

    /**
     * {@link #measure} then {@link #assign} on the first {@link #SAMPLES} rows of {@code features}; returns the number
     * of batch-norm layers recalibrated (0: the network has none, nothing is run).
     */
    public static int recalibrate(ComputationGraph net, INDArray features, int batchSize) {
        Map<String, Channels> stats = measure(net, sample(features), batchSize);
        assign(net, stats);
        return stats.size();
    }

    /** The rows statistics are measured on: the first {@link #SAMPLES} of {@code features} (all when fewer). */
    public static INDArray sample(INDArray features) {
        return features.size(0) > SAMPLES ? features.get(NDArrayIndex.interval(0, SAMPLES), NDArrayIndex.all()) : features;
    }

    /** The batch-norm layers by vertex name, in topological order. */
    static Map<String, BatchNormalization> layers(ComputationGraph net) {
        Map<String, BatchNormalization> out = new LinkedHashMap<>();
        ComputationGraphConfiguration conf = net.getConfiguration();
        for (int i : net.topologicalSortOrder()) {
            String name = net.getVertices()[i].getVertexName();
            GraphVertex v = conf.getVertices().get(name);
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization bn) {
                out.put(name, bn);
            }
        }
        return out;
    }

    private static int[] reductionDims(String name, BatchNormalization bn, INDArray in) {
        if (in.rank() == 2) {
            return new int[] {0};
        }
        if (in.rank() == 4) {
            return bn.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
        }
        throw new IllegalArgumentException("batch-norm layer '" + name + "' has rank-" + in.rank()
                + " input; statistics are measured for dense (rank 2) and convolutional (rank 4) inputs");
    }

    /** Switches off every layer's dropout and weight noise; returns what puts them back. */
    private static List<Runnable> disableNoise(ComputationGraph net) {
        List<Runnable> restore = new ArrayList<>();
        for (Layer l : net.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            IDropout dropout = conf.getIDropout();
            if (dropout != null) {
                conf.setIDropout(null);
                restore.add(() -> conf.setIDropout(dropout));
            }
            if (conf instanceof BaseLayer b && b.getWeightNoise() != null) {
                IWeightNoise noise = b.getWeightNoise();
                b.setWeightNoise(null);
                restore.add(() -> b.setWeightNoise(noise));
            }
        }
        return restore;
    }

    /** Running per-channel count, mean and sum of squared deviations, merged batch by batch (Chan et al. 1979). */
    private static final class Moments {
        private double count;
        private double[] mean;
        private double[] m2;

        void add(INDArray in, int[] dims) {
            INDArray bm = in.mean(dims).castTo(DataType.DOUBLE);
            INDArray bv = in.var(false, dims).castTo(DataType.DOUBLE);
            double[] batchMean = bm.toDoubleVector();
            double[] batchVar = bv.toDoubleVector();
            double nb = (double) in.length() / batchMean.length;
            if (mean == null) {
                mean = new double[batchMean.length];
                m2 = new double[batchMean.length];
            }
            double total = count + nb;
            for (int c = 0; c < mean.length; c++) {
                double delta = batchMean[c] - mean[c];
                mean[c] += delta * nb / total;
                m2[c] += batchVar[c] * nb + delta * delta * count * nb / total;
            }
            count = total;
        }

        Channels channels() {
            double[] var = new double[m2.length];
            for (int c = 0; c < var.length; c++) {
                var[c] = m2[c] / count;
            }
            return new Channels(mean.clone(), var);
        }
    }
}

package dev.kompakt.evaluator.net;

import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.pruning.Regularization;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;
import java.util.Random;

/**
 * Minibatch training and evaluation loops over a graph with one input and one output. Features are flat
 * [n, c*h*w] (channel, row, column order), as every Kompakt network takes them. Deterministic for a given seed.
 */
public final class Training {
    private Training() {
    }

    /**
     * Trains for {@code epochs} passes over {@code data} in shuffled minibatches; after every step the
     * pruning masks are applied again so pruned weights stay at zero.
     */
    public static void fit(ComputationGraph net, DataSet data, int epochs, int batchSize, PruningMasks masks, long seed) {
        fit(net, data, epochs, batchSize, masks, seed, Options.none());
    }

    /**
     * What a training does besides plain minibatch steps; {@link #none()} is plain training. Immutable: each {@code with}
     * method returns a copy.
     *
     * @param fakeQuantizer  when not null, quantization-aware training: every step computes the loss and its gradient
     *                       with the weights fake-quantized by it and applies the update to float master weights, which is
     *                       the straight-through estimator (the gradient with respect to the quantized weights stands in
     *                       for the gradient with respect to the float ones; Bengio et al. 2013, "Estimating or
     *                       Propagating Gradients Through Stochastic Neurons"; Jacob et al. 2018, "Quantization and
     *                       Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference"). Per step: the
     *                       network takes {@code quantize(master)}, one optimiser step changes its parameters by delta,
     *                       {@code master += delta}. The network holds the float master weights on entry and on return (so
     *                       pruning and a later post-training quantization see them); quantize it afterwards to get the
     *                       weights that were trained for. Biases are not quantized and train as usual; the optimiser's
     *                       state stays in the network across calls.
     * @param regularization sparsity-inducing regularisation: after every optimiser step its proximal step moves the
     *                       weights (with the layers' learning rates), then the pruning masks are applied; with a fake
     *                       quantizer it acts on the float master weights. {@link Regularization#none()} trains exactly as
     *                       without it.
     * @param afterEpoch     when not null, called after each epoch with the number of epochs done (1-based), the network
     *                       holding its float master weights as on return; it may throw to end the training there. The
     *                       shuffling is the same with or without it.
     * @param learningRate   when not null, every step's learning rate is set from it first ({@link LearningRateSteps});
     *                       null keeps the rate the network's updaters have.
     * @param augment        when not null, every batch's features are replaced by its result before the step
     *                       ({@link ImageAugmentation}); the shuffling is the same with or without it.
     */
    public record Options(WeightQuantizer fakeQuantizer, Regularization regularization, java.util.function.IntConsumer afterEpoch,
                          LearningRateSteps learningRate, java.util.function.UnaryOperator<INDArray> augment) {
        private static final Options NONE = new Options(null, Regularization.none(), null, null, null);

        public Options {
            java.util.Objects.requireNonNull(regularization, "regularization (Regularization.none() for none)");
        }

        /** Plain training: no fake quantization, regularisation, callback, schedule or augmentation. */
        public static Options none() {
            return NONE;
        }

        public Options withFakeQuantizer(WeightQuantizer q) {
            return new Options(q, regularization, afterEpoch, learningRate, augment);
        }

        public Options withRegularization(Regularization r) {
            return new Options(fakeQuantizer, r, afterEpoch, learningRate, augment);
        }

        public Options withAfterEpoch(java.util.function.IntConsumer callback) {
            return new Options(fakeQuantizer, regularization, callback, learningRate, augment);
        }

        public Options withLearningRate(LearningRateSteps steps) {
            return new Options(fakeQuantizer, regularization, afterEpoch, steps, augment);
        }

        public Options withAugment(java.util.function.UnaryOperator<INDArray> a) {
            return new Options(fakeQuantizer, regularization, afterEpoch, learningRate, a);
        }
    }

    /**
     * Like {@link #fit(ComputationGraph, DataSet, int, int, PruningMasks, long)}, with what {@code options} adds (fake
     * quantization, regularisation, a callback per epoch, a learning-rate schedule, augmentation; see {@link Options}).
     */
    public static void fit(ComputationGraph net, DataSet data, int epochs, int batchSize, PruningMasks masks, long seed, Options options) {
        WeightQuantizer fakeQuantizer = options.fakeQuantizer();
        Regularization regularization = options.regularization();
        java.util.function.IntConsumer afterEpoch = options.afterEpoch();
        LearningRateSteps learningRate = options.learningRate();
        java.util.function.UnaryOperator<INDArray> augment = options.augment();
        boolean regularize = !regularization.isNone();
        int n = data.numExamples();
        Random random = new Random(seed);
        INDArray master = fakeQuantizer == null ? null : net.params().dup();
        INDArray before = fakeQuantizer == null ? null : master.dup();
        for (int e = 0; e < epochs; e++) {
            int[] order = permutation(n, random);
            for (int start = 0; start < n; start += batchSize) {
                if (Thread.currentThread().isInterrupted()) {
                    // a cancelled Spark job (trial timeout, early stop) interrupts its task thread: free the executor now
                    throw new TrainingInterruptedException("training interrupted at epoch " + (e + 1) + ", sample " + start + " of " + n);
                }
                int end = Math.min(n, start + batchSize);
                int[] idx = java.util.Arrays.copyOfRange(order, start, end);
                INDArray rows = Nd4j.createFromArray(idx);
                DataSet batch = new DataSet(data.getFeatures().getRows(idx), data.getLabels().getRows(idx));
                rows.close();
                if (augment != null) {
                    INDArray plain = batch.getFeatures();
                    batch.setFeatures(augment.apply(plain));
                    plain.close();
                }
                if (fakeQuantizer != null) {
                    net.setParams(master);
                    fakeQuantizer.quantize(net);
                    before.assign(net.params());
                }
                if (learningRate != null) {
                    learningRate.beforeStep(net);
                }
                net.fit(batch);
                if (regularize && fakeQuantizer == null) {
                    regularization.apply(net);
                }
                if (!masks.isEmpty()) {
                    masks.apply(net);
                }
                if (fakeQuantizer != null) {
                    master.addi(net.params()).subi(before);
                    if (regularize) {
                        net.setParams(master);
                        regularization.apply(net);
                        master.assign(net.params());
                    }
                }
                // the batch's rows are copies: free their native memory now rather than whenever the GC gets to them
                net.clear();
                batch.getFeatures().close();
                batch.getLabels().close();
                collectNativeGarbageOccasionally();
            }
            if (afterEpoch != null) {
                if (fakeQuantizer != null) {
                    net.setParams(master);   // the next step starts from the master weights anyway
                }
                afterEpoch.accept(e + 1);
            }
        }
        if (fakeQuantizer != null) {
            net.setParams(master);
        }
    }

    /** Nanoseconds between the collections that {@link #collectNativeGarbageOccasionally()} asks for (10 s). */
    static final long NATIVE_GC_INTERVAL_NANOS = 10_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicLong LAST_NATIVE_GC = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

    /**
     * Asks for a garbage collection when none was asked for in the last 10 s ({@link #NATIVE_GC_INTERVAL_NANOS}). Every
     * training step leaves off-heap arrays (activations, gradients) whose native memory ND4J frees only when the GC
     * collects their small Java wrappers; those wrappers get promoted and sit in the old generation, which the GC
     * rarely visits while the Java heap is nearly idle, so resident memory grew by ~1 GB per epoch per training thread
     * (the strategies benchmark was OOM-killed at 24 GB). With a collection at most every 10 s, one epoch of the CNN
     * stayed near 720 MB resident in a probe against 1.4 GB and rising without (one thread, full Fashion-MNIST). One
     * collection serves every thread of the JVM.
     */
    static void collectNativeGarbageOccasionally() {
        long last = LAST_NATIVE_GC.get();
        long now = System.nanoTime();
        if (now - last > NATIVE_GC_INTERVAL_NANOS && LAST_NATIVE_GC.compareAndSet(last, now)) {
            System.gc();
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

    /** The most examples one inference batch holds ({@link #inferenceBatch}). */
    public static final int MAX_INFERENCE_BATCH = 500;
    /** What one inference batch's largest activation may take ({@link #inferenceBatch}). */
    static final long INFERENCE_BATCH_BYTES = 16L << 20;

    /**
     * How many examples of {@code features} to run through {@code net} at once in inference: as many as keep the
     * network's largest activation within {@link #INFERENCE_BATCH_BYTES} (16 MB; measured on one example), at most
     * {@link #MAX_INFERENCE_BATCH}. Larger buffers are served by glibc with fresh mmap'ed pages (its threshold stops at 32
     * MB), which every op then faults in and zero-fills: with 500 examples a batch, 14 small MobileNets' evaluations
     * took 196 s with 15.7 million page faults and 112 s of system time; with 100, 85 s, 4.8 million, 32 s, outputs
     * identical (experiments/results/training.md, "Inference batches").
     */
    public static int inferenceBatch(ComputationGraph net, INDArray features) {
        if (features.size(0) <= 1) {
            return 1;
        }
        return (int) Math.max(1, Math.min(MAX_INFERENCE_BATCH, INFERENCE_BATCH_BYTES / largestActivationBytes(net, features)));
    }

    /** Bytes of the largest activation (any vertex's output, the input included) for one example of {@code features}. */
    public static long largestActivationBytes(ComputationGraph net, INDArray features) {
        Map<String, INDArray> one = net.feedForward(features.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()), false);
        long largest = 1;
        for (INDArray a : one.values()) {
            largest = Math.max(largest, a.length() * a.dataType().width());
        }
        return largest;
    }

    /** Network outputs (class probabilities) for every example, in batches of {@link #inferenceBatch}. */
    public static INDArray predict(ComputationGraph net, INDArray features) {
        return predict(net, features, inferenceBatch(net, features));
    }

    /** Network outputs (class probabilities) for every example, {@code batch} examples at a time. */
    public static INDArray predict(ComputationGraph net, INDArray features, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("inference needs a batch of at least 1 example, got " + batch);
        }
        long n = features.size(0);
        INDArray out = null;
        for (long start = 0; start < n; start += batch) {
            long end = Math.min(n, start + batch);
            INDArray part = net.outputSingle(false, features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
            if (out == null) {
                out = Nd4j.create(part.dataType(), n, part.size(1));
            }
            out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(part);
        }
        return out;
    }

    /**
     * The output of vertex {@code vertex} (after its activation) for every example, computed in batches of
     * {@link #inferenceBatch} in inference mode: {@code [N, units]} for dense layers, {@code [N, channels, rows, cols]}
     * for convolution and pooling layers.
     */
    public static INDArray activations(ComputationGraph net, String vertex, INDArray features) {
        long n = features.size(0);
        int batch = inferenceBatch(net, features);
        INDArray out = null;
        for (long start = 0; start < n; start += batch) {
            long end = Math.min(n, start + batch);
            INDArray part = net.feedForward(features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()), false).get(vertex);
            if (part == null) {
                throw new IllegalArgumentException("the network has no vertex '" + vertex + "'");
            }
            if (out == null) {
                long[] shape = part.shape().clone();
                shape[0] = n;
                out = Nd4j.create(part.dataType(), shape);
            }
            out.get(NDArrayIndex.interval(start, end)).assign(part);
        }
        return out;
    }

    /**
     * The logits (pre-softmax outputs) of a network whose output is a dense output layer fed directly (no preprocessor)
     * by one vertex: that vertex's activations times the output layer's W, plus its b.
     */
    public static INDArray logits(ComputationGraph net, INDArray features) {
        String out = net.getConfiguration().getNetworkOutputs().get(0);
        java.util.List<String> in = net.getConfiguration().getVertexInputs().get(out);
        org.deeplearning4j.nn.conf.graph.GraphVertex v = net.getConfiguration().getVertices().get(out);
        if (in.size() != 1 || !(v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) || lv.getPreProcessor() != null
                || net.getLayer(out).getParam("W") == null || net.getConfiguration().getNetworkInputs().contains(in.get(0))) {
            throw new IllegalArgumentException("logits need a dense output layer fed directly by one hidden vertex; output '" + out
                    + "' is not");
        }
        INDArray hidden = activations(net, in.get(0), features);
        return hidden.mmul(net.getLayer(out).getParam("W")).addiRowVector(net.getLayer(out).getParam("b"));
    }

    /** dLoss/dW of every weight tensor, by tensor id ({@link dev.kompakt.strategies.WeightTensors.Target#id()}), on one batch. */
    public static java.util.Map<String, INDArray> weightGradients(ComputationGraph net, DataSet batch) {
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        java.util.Map<String, INDArray> out = new java.util.HashMap<>();
        for (dev.kompakt.strategies.WeightTensors.Target t : dev.kompakt.strategies.WeightTensors.of(net)) {
            INDArray g = net.gradient().getGradientFor(t.layer() + "_" + t.param());
            if (g != null) {
                out.put(t.id(), g.dup());
            }
        }
        net.clear();
        return out;
    }

    /** Top-1 accuracy on a labelled set. */
    public static double accuracy(ComputationGraph net, DataSet data) {
        return accuracy(predict(net, data.getFeatures()), data);
    }

    /** Top-1 accuracy of {@code predictions} ({@code [N, classes]}, e.g. from {@link #predict}) against the labels of {@code data}. */
    public static double accuracy(INDArray predictions, DataSet data) {
        if (predictions.size(0) != data.numExamples()) {
            throw new IllegalArgumentException(predictions.size(0) + " predictions for " + data.numExamples() + " examples");
        }
        INDArray predicted = predictions.argMax(1);
        INDArray actual = data.getLabels().argMax(1);
        long correct = predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
        return (double) correct / data.numExamples();
    }
}

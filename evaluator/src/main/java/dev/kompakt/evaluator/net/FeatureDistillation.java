package dev.kompakt.evaluator.net;

import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import dev.kompakt.strategies.WeightTensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Feature-based knowledge distillation, FitNets (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets"), stage 1:
 * hint training. The student's vertices up to its <i>guided</i> layer, followed by a learned regressor (adapter), are
 * trained to reproduce the output of the teacher's <i>hint</i> layer with a mean-squared-error loss; the teacher is
 * frozen (only evaluated, in inference mode). The regressor maps the student's width to the teacher's: a 1x1
 * convolution for convolutional layers (FitNets' convolutional regressor, which needs the hint and guided maps to have
 * the same spatial size), a dense layer for dense layers, each with the teacher hint's own non-linearity. After training,
 * the trained parameters of the vertices the guided one depends on are copied into the student and the regressor is discarded.
 *
 * <p>Stage 2 is the caller's: train the whole student, with response KD as FitNets does (a
 * {@link dev.kompakt.strategies.distillation.DistillationLoss}; alpha 0 is plain cross-entropy), e.g. with
 * {@link Training#fit(ComputationGraph, DataSet, int, int, PruningMasks, long)}.
 *
 * <p><b>Default layers</b> ({@link #defaultLayer}): the deepest hidden layer with weights of the same kind as the
 * network's first layer, in the same position for teacher and student (they are the same family at different widths).
 * For the CNN family (conv1-pool1-conv2-pool2-fc1-out) that is conv2: the hint keeps its spatial map (16w x 8 x 8
 * on 28 x 28 inputs), the regressor is a 1x1 convolution from the student's to the teacher's channel count, and fc1 and the
 * classifier are left to stage 2. For the MLP family (fc1-fc2-out) it is fc2, the last hidden layer before the
 * classifier, with a dense regressor. FitNets chose a middle hint of a deeper teacher to avoid over-regularising a
 * thinner, deeper student; here student and teacher have the same depth, so the deepest layer that keeps the first
 * layer's structure is used.
 *
 * <p>Deterministic for a seed (the regressor's initialisation and the minibatch order). Not thread-safe for the same
 * student; the teacher is only read.
 */
public final class FeatureDistillation {
    /** Examples scored for the reported hint MSE. */
    static final int MSE_SAMPLES = 512;

    private FeatureDistillation() {
    }

    /**
     * What stage 1 did: the guided (student) and hint (teacher) vertices, the regressor's weight shape (DL4J layout:
     * {@code [out, in, 1, 1]} for a 1x1 convolution, {@code [in, out]} for a dense layer) and the mean squared error to
     * the hint (per element, on up to the first 512 examples) before and after hint training.
     */
    public record HintTraining(String guidedLayer, String hintLayer, List<Long> regressorWeightShape, double mseBefore, double mseAfter) {
        public HintTraining {
            regressorWeightShape = List.copyOf(regressorWeightShape);
        }
    }

    /**
     * The default guided/hint vertex of a graph: the deepest (in topological order) hidden layer with weights that is of
     * the same kind (convolution or dense) as the first layer with weights. CNN family: conv2; MLP family: fc2. A student
     * has its teacher's topology, so the same name serves both.
     */
    public static String defaultLayer(ComputationGraph net) {
        Boolean firstIsConv = null;
        String chosen = null;
        List<String> outputs = net.getConfiguration().getNetworkOutputs();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            if (outputs.contains(t.layer()) || !t.param().equals("W")) {
                continue;
            }
            boolean conv = t.convolution();
            if (firstIsConv == null) {
                firstIsConv = conv;
            }
            if (conv == firstIsConv) {
                chosen = t.layer();
            }
        }
        if (chosen == null) {
            throw new IllegalArgumentException("the network has no hidden layer with weights to guide");
        }
        return chosen;
    }

    /** Stage 1 on the default layers ({@link #defaultLayer}) of student and teacher, without pruning masks. */
    public static HintTraining hintTrain(ComputationGraph student, ComputationGraph teacher, DataSet data, int epochs, int batchSize,
                                         long seed) {
        return hintTrain(student, teacher, data, defaultLayer(student), defaultLayer(teacher), epochs, batchSize, PruningMasks.none(), seed);
    }

    /**
     * Stage 1: trains the student's vertices that {@code guidedLayer} depends on and a fresh regressor for {@code epochs}
     * passes over {@code data}'s features (its labels are not used) to regress the teacher's vertex {@code hintLayer},
     * with the student's own updater settings, then writes the trained parameters of those vertices back into
     * {@code student}. The masks of those vertices' weights are applied after every step, so pruned weights stay zero.
     *
     * @throws IllegalArgumentException when the layers are not hidden dense or convolution layers of matching kinds, or a
     *                                  convolutional hint and guided map differ in spatial size
     */
    public static HintTraining hintTrain(ComputationGraph student, ComputationGraph teacher, DataSet data, String guidedLayer, String hintLayer,
                                         int epochs, int batchSize, PruningMasks masks, long seed) {
        if (epochs < 0 || batchSize < 1) {
            throw new IllegalArgumentException("hint training needs epochs >= 0 and batchSize >= 1, got " + epochs + " and " + batchSize);
        }
        if (!hasLayer(teacher, hintLayer) || teacher.getConfiguration().getNetworkOutputs().contains(hintLayer)
                || !(teacher.getLayer(hintLayer).conf().getLayer() instanceof BaseLayer hintBase)) {
            throw new IllegalArgumentException("hint layer '" + hintLayer + "' must be a hidden dense or convolution layer of the teacher");
        }
        INDArray features = data.getFeatures();
        INDArray hint = Training.activations(teacher, hintLayer, features);
        if (hasLayer(student, guidedLayer)) {
            INDArray probe = Training.activations(student, guidedLayer, features.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()));
            if (probe.rank() != hint.rank() || (hint.rank() == 4 && (probe.size(2) != hint.size(2) || probe.size(3) != hint.size(3)))) {
                throw new IllegalArgumentException("guided layer " + guidedLayer + " output " + java.util.Arrays.toString(probe.shape())
                        + " cannot be regressed onto hint layer " + hintLayer + " output " + java.util.Arrays.toString(hint.shape())
                        + " (a 1x1 convolution keeps the spatial size)");
            }
        }
        ComputationGraph regressor = NetworkFactory.hintGraph(student, guidedLayer, hint.shape(), hintBase.getActivationFn(), seed);
        copyLayers(student, regressor);
        INDArray targets = hint.reshape('c', hint.size(0), hint.length() / hint.size(0));
        DataSet hintData = new DataSet(features, targets);
        long m = Math.min(MSE_SAMPLES, features.size(0));
        DataSet probeSet = new DataSet(features.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()),
                targets.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()));
        double before = regressor.score(probeSet, false);
        java.util.Set<String> kept = new java.util.HashSet<>();
        WeightTensors.of(regressor).forEach(t -> kept.add(t.id()));
        Map<String, INDArray> guidedMasks = masks.masks().entrySet().stream().filter(e -> kept.contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Training.fit(regressor, hintData, epochs, batchSize, new PruningMasks(guidedMasks), seed);
        double after = regressor.score(probeSet, false);
        copyLayers(regressor, student);
        List<Long> shape = java.util.Arrays.stream(regressor.getLayer("hint_regressor").getParam("W").shape()).boxed().toList();
        return new HintTraining(guidedLayer, hintLayer, shape, before, after);
    }

    /** Copies every parameter of the layers that both graphs have, by vertex name, from one graph into the other. */
    private static void copyLayers(ComputationGraph from, ComputationGraph to) {
        for (org.deeplearning4j.nn.api.Layer layer : from.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (!hasLayer(to, name)) {
                continue;
            }
            org.deeplearning4j.nn.api.Layer target = to.getLayer(name);
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                target.getParam(p.getKey()).assign(p.getValue());
            }
        }
    }

    /** Whether {@code graph} has a layer vertex named {@code name} (ComputationGraph.getLayer throws for other names). */
    private static boolean hasLayer(ComputationGraph graph, String name) {
        return graph.getConfiguration().getVertices().get(name) instanceof org.deeplearning4j.nn.conf.graph.LayerVertex;
    }
}

package dev.kompakt.strategies;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Sequential DL4J networks as graphs, the one network representation of Kompakt. Stateless. */
public final class MultiLayerConversion {
    /** The input vertex name of a converted network. */
    public static final String INPUT = "input";

    private MultiLayerConversion() {
    }

    /**
     * A sequential network as the equivalent graph: input {@value #INPUT}, then each layer in order with its own
     * configuration, input preprocessor and parameters, named by its layer name (or {@code layer<i>} when it has none or
     * the name is taken). DL4J's own {@code toComputationGraph()} names vertices "0", "1", ..., which would lose the
     * names that plans and metrics use. The updater state is carried over when the network has one.
     */
    public static ComputationGraph toGraph(MultiLayerNetwork net) {
        org.deeplearning4j.nn.conf.MultiLayerConfiguration mc = net.getLayerWiseConfigurations().clone();
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().dataType(mc.getDataType()).graphBuilder()
                .addInputs(INPUT);
        java.util.Set<String> used = new java.util.HashSet<>(java.util.List.of(INPUT));
        String previous = INPUT;
        for (int i = 0; i < mc.getConfs().size(); i++) {
            NeuralNetConfiguration c = mc.getConf(i);
            String name = c.getLayer().getLayerName();
            if (name == null || name.isBlank() || used.contains(name)) {
                name = "layer" + i;
            }
            used.add(name);
            g.addLayer(name, c.getLayer(), mc.getInputPreProcess(i), previous);
            previous = name;
        }
        ComputationGraph graph = new ComputationGraph(g.setOutputs(previous).build());
        graph.init(net.params().dup(), false);
        // the optimiser's state too, when it has one of the same layout (e.g. a model saved with its updater)
        org.nd4j.linalg.api.ndarray.INDArray state = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
        org.nd4j.linalg.api.ndarray.INDArray target = graph.getUpdater().getUpdaterStateViewArray();
        if (state != null && target != null && state.length() == target.length()) {
            target.assign(state);
        }
        return graph;
    }
}

package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.WeightTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Binary keep-masks for a network's weight tensors, by tensor id ({@link WeightTensors.Target#id()}). {@link #apply} zeroes the pruned
 * weights again; call it after every optimiser step while fine-tuning so pruned weights stay zero.
 */
public record PruningMasks(Map<String, INDArray> masks) {
    public PruningMasks {
        masks = Map.copyOf(masks);
    }

    public static PruningMasks none() {
        return new PruningMasks(Map.of());
    }

    public void apply(ComputationGraph net) {
        List<WeightTensors.Target> targets = WeightTensors.of(net);
        for (WeightTensors.Target t : targets) {
            INDArray mask = masks.get(t.id());
            if (mask != null) {
                t.weights().muli(mask);
            }
        }
    }

    public boolean isEmpty() {
        return masks.isEmpty();
    }
}

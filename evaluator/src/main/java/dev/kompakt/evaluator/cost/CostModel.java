package dev.kompakt.evaluator.cost;

import java.util.List;

/** Totals over the per-layer costs of a network ({@link GraphCostModel#of}), for batch 1. */
public final class CostModel {
    private CostModel() {
    }

    public static long totalMacs(List<LayerCost> costs) {
        return costs.stream().mapToLong(LayerCost::macs).sum();
    }

    public static long totalStorageBytes(List<LayerCost> costs) {
        return costs.stream().mapToLong(LayerCost::storageBytes).sum();
    }

    public static long totalParameters(List<LayerCost> costs) {
        return costs.stream().mapToLong(c -> c.weights() + c.biases()).sum();
    }

    public static long nonzeroParameters(List<LayerCost> costs) {
        return costs.stream().mapToLong(c -> c.nonzeroWeights() + c.biases()).sum();
    }
}

package dev.kompakt.evaluator.cost;

/**
 * Cost of one layer for batch 1.
 *
 * @param macs           multiply-accumulates (0 for pooling)
 * @param otherOps       non-MAC element operations (pooling comparisons, activations)
 * @param weights        weight count (biases excluded)
 * @param nonzeroWeights weights that are not exactly zero
 * @param biases         bias count (stored as float32)
 * @param weightBits     storage bits of one weight (32 = float)
 * @param storageBytes   exact bytes of this layer's parameters: weights (dense, bitmask or CSR, whichever
 *                       is smallest), per-channel scales when quantized, and float32 biases
 * @param inputElements  activations read
 * @param outputElements activations written
 */
public record LayerCost(int index, String name, String kind, long macs, long otherOps, long weights, long nonzeroWeights,
                        long biases, int weightBits, long storageBytes, long inputElements, long outputElements) {
}

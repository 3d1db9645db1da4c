package dev.kompakt.evaluator.cost;

/**
 * Cost of one layer for batch 1.
 *
 * @param kind           op kind: {@code conv}, {@code depthwise}, {@code dense}, {@code pool}, {@code activation},
 *                       {@code batchnorm}, {@code add}, {@code mul}, {@code concat}, {@code upsample}, {@code pad},
 *                       {@code reshape}, {@code identity}, or another layer's class name
 *                       (see {@code dev.kompakt.evaluator.hardware.OpKinds})
 * @param macs           multiply-accumulates (0 for pooling)
 * @param otherOps       non-MAC element operations (pooling comparisons, activations)
 * @param weights        weight count (biases excluded)
 * @param nonzeroWeights weights that are not exactly zero
 * @param biases         bias count (stored as float32); for batch norm its float32 parameters (gamma, beta, mean,
 *                       variance)
 * @param weightBits     storage bits of one weight (32 = float)
 * @param storageBytes   exact bytes of this layer's parameters: weights (dense, bitmask or CSR, whichever is
 *                       smallest), per-channel scales when quantized, and float32 biases
 * @param inputElements  activations read (all inputs: both operands of an {@code add})
 * @param outputElements activations written
 * @param activationBits bits of one input/output activation element: 32 (float) unless the activations are
 *                       quantized too; the arithmetic is INT8 only when this and {@code weightBits} are both <= 8
 */
public record LayerCost(int index, String name, String kind, long macs, long otherOps, long weights, long nonzeroWeights,
                        long biases, int weightBits, long storageBytes, long inputElements, long outputElements,
                        int activationBits) {
    public LayerCost {
        if (activationBits < 1 || activationBits > 32) {
            throw new IllegalArgumentException("layer " + name + ": activationBits must be in [1, 32], got " + activationBits);
        }
    }

    /** A layer with float32 activations. */
    public LayerCost(int index, String name, String kind, long macs, long otherOps, long weights, long nonzeroWeights,
                     long biases, int weightBits, long storageBytes, long inputElements, long outputElements) {
        this(index, name, kind, macs, otherOps, weights, nonzeroWeights, biases, weightBits, storageBytes, inputElements,
                outputElements, 32);
    }

    /** Arithmetic operations: 2 per MAC plus the element operations. */
    public double ops() {
        return 2.0 * macs + otherOps;
    }

    /**
     * Whether the layer's arithmetic runs in INT8: its activations are <= 8 bits and so are its weights (a layer
     * without weights, such as pooling, only needs 8-bit activations). Weight-only quantization stays float.
     */
    public boolean int8Compute() {
        return activationBits <= 8 && (weights == 0 || weightBits <= 8);
    }

    /** Bytes of the input and output activations. */
    public double activationBytes() {
        return (inputElements + outputElements) * (double) activationBits / 8.0;
    }
}

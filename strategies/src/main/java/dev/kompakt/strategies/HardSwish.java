package dev.kompakt.strategies;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Hard-swish, {@code x * relu6(x + 3) / 6} (Howard et al. 2019, "Searching for MobileNetV3"), as a DL4J activation
 * function: ND4J 1.0.0-M2.1 has none. Its gate {@code relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1)} is ONNX's
 * {@code HardSigmoid} with alpha 1/6 and beta 1/2 (ND4J's own hard-sigmoid has slope 0.2, Keras's form).
 *
 * <p>Derivative: 0 below -3, 1 above 3, {@code (2x + 3) / 6} between. Serialises with the network's configuration (DL4J
 * writes activations with their class name). Stateless and immutable.
 */
public final class HardSwish extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray gate = gate(in);
        return in.muli(gate);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // (2x + 3) / 6 inside (-3, 3), 0 below, 1 above
        INDArray inner = in.mul(2.0 / 6.0).addi(0.5);
        INDArray below = in.gt(-3.0).castTo(in.dataType());
        INDArray above = in.gte(3.0).castTo(in.dataType());
        INDArray middle = below.sub(above);
        INDArray dx = inner.muli(middle).addi(above);
        in.assign(dx.muli(epsilon));
        return new Pair<>(in, null);
    }

    /** {@code clip(x / 6 + 1/2, 0, 1)}, a new array. */
    static INDArray gate(INDArray x) {
        INDArray g = x.mul(1.0 / 6.0).addi(0.5);
        return Transforms.min(Transforms.max(g, 0.0, false), 1.0, false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardSwish;
    }

    @Override
    public int hashCode() {
        return HardSwish.class.hashCode();
    }

    @Override
    public String toString() {
        return "hardswish";
    }
}

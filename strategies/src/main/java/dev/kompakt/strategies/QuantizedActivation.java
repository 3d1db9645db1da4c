package dev.kompakt.strategies;

import dev.kompakt.strategies.quantization.Calibration;
import dev.kompakt.strategies.quantization.ChannelQuantization;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Simulated ("fake") activation quantization as a DL4J activation function: the wrapped activation (ReLU for the
 * search's families), then its output clipped to the calibrated range [min, max] and rounded onto a uniform grid of
 * {@code 2^bits} levels. The grid is the asymmetric one of {@link ChannelQuantization.Grid} (scale
 * {@code (max - min) / (2^bits - 1)}, an integer zero point), so zero is exact and a ReLU range [0, clip] uses every level
 * from 0 to clip. The output takes at most {@code 2^bits} distinct values.
 *
 * <p>Backward: the straight-through estimator (Bengio et al. 2013; with a clip as in PACT, Choi et al. 2018, with the
 * clip fixed): the wrapped activation's gradient where its output lies inside the grid's range, 0 where the output was
 * clipped. The clip is not learned.
 *
 * <p>Serialises with the network's configuration (DL4J writes {@link IActivation}s with their class name and fields), so
 * {@code ModelSerializer} and {@code ComputationGraph.clone()} keep it. Immutable.
 */
public final class QuantizedActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    private final IActivation wrapped;
    private final int bits;
    private final double min;
    private final double max;

    /**
     * @param wrapped the layer's own activation (not itself quantized)
     * @param bits    2 to 16
     * @param min     low end of the calibrated range, &lt;= 0 (0 for ReLU)
     * @param max     high end, &gt;= 0 (the clip)
     */
    @JsonCreator
    public QuantizedActivation(@JsonProperty("wrapped") IActivation wrapped, @JsonProperty("bits") int bits,
                               @JsonProperty("min") double min, @JsonProperty("max") double max) {
        if (wrapped == null || wrapped instanceof QuantizedActivation) {
            throw new IllegalArgumentException("a quantized activation wraps a float activation, got " + wrapped);
        }
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("activation bits must be in [2, 16], got " + bits);
        }
        if (!(min <= 0 && max >= 0) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("activation range must be finite and contain 0, got [" + min + ", " + max + "]");
        }
        this.wrapped = wrapped;
        this.bits = bits;
        this.min = min;
        this.max = max;
    }

    /** {@code wrapped} over the range of a {@link Calibration}. */
    public QuantizedActivation(IActivation wrapped, int bits, Calibration.Range range) {
        this(wrapped, bits, range.min(), range.max());
    }

    public IActivation wrapped() {
        return wrapped;
    }

    public int bits() {
        return bits;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    private ChannelQuantization.Grid grid() {
        return ChannelQuantization.Grid.of(new Calibration.Range((float) min, (float) max), bits, false);
    }

    /** The lowest and highest value the grid represents: the range the output is clipped to. */
    public double[] representable() {
        if (min == 0 && max == 0) {
            return new double[] {0, 0};
        }
        ChannelQuantization.Grid g = grid();
        return new double[] {g.value(g.minLevel()), g.value(g.maxLevel())};
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray a = wrapped.getActivation(in, training);
        if (min == 0 && max == 0) {
            return a.assign(0);
        }
        ChannelQuantization.Grid g = grid();
        INDArray q = Transforms.round(a.div(g.scale()), false).addi(g.zeroPoint());
        q = Transforms.min(Transforms.max(q, g.minLevel(), false), g.maxLevel(), false);
        return a.assign(q.subi(g.zeroPoint()).muli(g.scale()));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        INDArray out = wrapped.getActivation(in.dup(), true);
        double[] r = representable();
        INDArray inside = out.gte(r[0]).castTo(out.dataType()).muli(out.lte(r[1]).castTo(out.dataType()));
        Pair<INDArray, INDArray> g = wrapped.backprop(in, epsilon);
        g.getFirst().muli(inside);
        return g;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizedActivation q && q.bits == bits && q.min == min && q.max == max && q.wrapped.equals(wrapped);
    }

    @Override
    public int hashCode() {
        return Objects.hash(wrapped, bits, min, max);
    }

    @Override
    public String toString() {
        return "quantized(" + wrapped + ", " + bits + " bits, [" + min + ", " + max + "])";
    }
}

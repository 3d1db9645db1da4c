package dev.kompakt.strategies;

import dev.kompakt.strategies.quantization.ActivationQuantizer;
import dev.kompakt.strategies.quantization.BiasCorrectionTest;
import dev.kompakt.strategies.quantization.Calibration;
import dev.kompakt.strategies.quantization.MinMaxCalibration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedActivationTest {

    private static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape).muli(2.0);
    }

    private static Set<Float> distinct(INDArray a) {
        Set<Float> s = new HashSet<>();
        for (float v : a.dup('c').data().asFloat()) {
            s.add(v == 0f ? 0f : v);
        }
        return s;
    }

    @Test
    void forwardHasAtMostTwoToTheBitsValuesInsideTheClip() {
        for (int bits : new int[] {2, 3, 4, 6, 8}) {
            QuantizedActivation q = new QuantizedActivation(new ActivationReLU(), bits, 0.0, 1.5);
            INDArray out = q.getActivation(random(bits, 64, 300), false);
            Set<Float> values = distinct(out);
            assertTrue(values.size() <= 1 << bits, bits + " bits: " + values.size() + " values");
            assertTrue(values.size() >= (1 << bits) - 1, bits + " bits uses (almost) every level on N(0, 4) input: " + values.size());
            assertEquals(0.0, out.minNumber().doubleValue(), 0.0, "ReLU: nothing below 0");
            assertEquals(1.5, out.maxNumber().doubleValue(), 1e-6, "clipped at 1.5, which is the top level");
            // every value is a multiple of the step
            double step = 1.5 / ((1 << bits) - 1);
            for (float v : values) {
                assertEquals(Math.round(v / step) * step, v, 1e-5, "on the grid");
            }
        }
        // a signed activation: asymmetric grid over [min, max] with zero exact
        QuantizedActivation signed = new QuantizedActivation(new ActivationIdentity(), 3, -1.0, 2.0);
        INDArray out = signed.getActivation(random(5, 1000), false);
        assertTrue(distinct(out).size() <= 8);
        assertTrue(distinct(out).contains(0f), "zero is a level");
        double[] r = signed.representable();
        assertEquals(r[0], out.minNumber().doubleValue(), 1e-6);
        assertEquals(r[1], out.maxNumber().doubleValue(), 1e-6);
        // close to the input where not clipped: error at most half a step
        float[] ramp = new float[200];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = 1.4f * i / (ramp.length - 1);
        }
        INDArray x = Nd4j.create(ramp, new long[] {1, 200}, 'c');
        INDArray y = new QuantizedActivation(new ActivationReLU(), 4, 0.0, 1.5).getActivation(x.dup(), false);
        double worst = 0;
        float[] ys = y.dup('c').data().asFloat();
        for (int i = 0; i < ramp.length; i++) {
            worst = Math.max(worst, Math.abs(ys[i] - ramp[i]));
        }
        assertTrue(worst <= 0.5 * 1.5 / 15 + 1e-6, "rounding error " + worst);
    }

    @Test
    void backwardIsTheWrappedGradientInsideTheClipAndZeroOutside() {
        QuantizedActivation q = new QuantizedActivation(new ActivationReLU(), 4, 0.0, 1.0);
        INDArray z = random(3, 32, 50);
        INDArray eps = random(4, 32, 50);
        INDArray ste = q.backprop(z.dup(), eps.dup()).getFirst();
        INDArray wrapped = new ActivationReLU().backprop(z.dup(), eps.dup()).getFirst();
        float[] zs = z.dup('c').data().asFloat();
        float[] s = ste.dup('c').data().asFloat();
        float[] w = wrapped.dup('c').data().asFloat();
        int inside = 0;
        int clipped = 0;
        for (int i = 0; i < zs.length; i++) {
            if (zs[i] <= 1.0f) {
                assertEquals(w[i], s[i], 0.0, "inside the clip range: the ReLU's gradient");
                inside += zs[i] > 0 ? 1 : 0;
            } else {
                assertEquals(0.0f, s[i], 0.0, "clipped: no gradient");
                assertTrue(w[i] != 0 || eps.dup('c').data().asFloat()[i] == 0);
                clipped++;
            }
        }
        assertTrue(inside > 100 && clipped > 100, inside + " inside, " + clipped + " clipped");
        // a signed activation: clipped at both ends
        QuantizedActivation signed = new QuantizedActivation(new ActivationIdentity(), 4, -0.5, 0.5);
        double[] r = signed.representable();
        INDArray g = signed.backprop(z.dup(), eps.dup()).getFirst();
        float[] gs = g.dup('c').data().asFloat();
        float[] es = eps.dup('c').data().asFloat();
        for (int i = 0; i < zs.length; i++) {
            assertEquals(zs[i] >= r[0] && zs[i] <= r[1] ? es[i] : 0f, gs[i], 0.0);
        }
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertEquals("activation bits must be in [2, 16], got 1",
                assertThrows(IllegalArgumentException.class, () -> new QuantizedActivation(new ActivationReLU(), 1, 0, 1)).getMessage());
        assertEquals("activation range must be finite and contain 0, got [0.5, 1.0]",
                assertThrows(IllegalArgumentException.class, () -> new QuantizedActivation(new ActivationReLU(), 4, 0.5, 1)).getMessage());
        QuantizedActivation q = new QuantizedActivation(new ActivationReLU(), 4, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> new QuantizedActivation(q, 4, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ActivationQuantizer(9 * 2, new MinMaxCalibration()));
    }

    @Test
    void quantizerSwapsTheHiddenLayersAndTheNetworkSerialisesAndClones() throws IOException {
        ComputationGraph net = BiasCorrectionTest.net(Activation.RELU);
        INDArray x = BiasCorrectionTest.inputs();
        INDArray floatOut = net.outputSingle(false, x);
        Map<String, Calibration.Range> ranges = new ActivationQuantizer(4, new MinMaxCalibration()).quantize(net, x);
        List<String> hidden = List.of("layer0", "layer1", "layer2");
        assertEquals(hidden, List.copyOf(ranges.keySet()), "conv, conv, dense; not the softmax output layer");
        assertEquals(Map.of("layer0", 4, "layer1", 4, "layer2", 4), ActivationQuantizer.quantizedLayers(net));
        assertInstanceOf(ActivationSoftmax.class, activation(net, "layer3"));
        for (String layer : hidden) {
            QuantizedActivation q = (QuantizedActivation) activation(net, layer);
            assertEquals(0.0, q.min(), 0.0, "ReLU range starts at 0");
            assertTrue(q.max() > 0);
            // the live layer uses it: its outputs are on a 16-level grid
            INDArray a = net.feedForward(x, false).get(layer);
            assertTrue(distinct(a).size() <= 16, "layer " + layer + ": " + distinct(a).size());
        }
        INDArray quantOut = net.outputSingle(false, x);
        assertTrue(quantOut.sub(floatOut).norm2Number().doubleValue() > 0, "the outputs change");

        // JSON configuration, ModelSerializer and clone keep the quantized activations
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertEquals(activation(net, "layer1"), activation(back, "layer1"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        ComputationGraph cloned = net.clone();
        for (ComputationGraph copy : List.of(restored, cloned)) {
            assertEquals(ActivationQuantizer.quantizedLayers(net), ActivationQuantizer.quantizedLayers(copy));
            for (String layer : hidden) {
                assertEquals(activation(net, layer), activation(copy, layer));
                assertEquals(activation(net, layer), ((BaseLayer) copy.getLayer(layer).conf().getLayer()).getActivationFn(), "live layer");
            }
            assertEquals(quantOut, copy.outputSingle(false, x));
        }

        // a training step runs through the straight-through estimator
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 64, 5);
        for (int i = 0; i < 64; i++) {
            labels.putScalar(i, i % 5, 1.0);
        }
        INDArray before = cloned.params().dup();
        cloned.fit(new INDArray[] {x}, new INDArray[] {labels});
        assertTrue(cloned.params().sub(before).norm2Number().doubleValue() > 0, "the weights move");

        ActivationQuantizer.restore(net);
        assertEquals(Map.of(), ActivationQuantizer.quantizedLayers(net));
        assertEquals(floatOut, net.outputSingle(false, x));
    }

    private static IActivation activation(ComputationGraph net, String layer) {
        return activation(net.getConfiguration(), layer);
    }

    private static IActivation activation(ComputationGraphConfiguration conf, String layer) {
        return ((BaseLayer) ((LayerVertex) conf.getVertices().get(layer)).getLayerConf().getLayer()).getActivationFn();
    }
}

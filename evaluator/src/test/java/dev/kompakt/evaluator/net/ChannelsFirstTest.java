package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A channels-last graph (as Keras import makes them: NHWC convolution, depthwise convolution, batch norm, padding,
 * pooling, an NHWC flatten vertex and a softmax dense classifier) converted to channels-first computes the same outputs
 * on the same images laid out NCHW, and on Kompakt's flat channel-row-column inputs.
 */
class ChannelsFirstTest {
    static ComputationGraph channelsLast() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).graphBuilder()
                .addInputs("img")
                .addLayer("pad", new ZeroPaddingLayer.Builder(1, 1).dataFormat(CNN2DFormat.NHWC).build(), "img")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).stride(2, 2).dataFormat(CNN2DFormat.NHWC).nIn(3).nOut(6)
                        .activation(Activation.IDENTITY).build(), "pad")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).nIn(6).nOut(6).activation(Activation.IDENTITY)
                        .build(), "conv")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC)
                        .nIn(6).nOut(6).depthMultiplier(1).activation(Activation.RELU6).build(), "bn")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).dataFormat(CNN2DFormat.NHWC)
                        .build(), "dw")
                .addVertex("flat", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(3, 3, 6, CNN2DFormat.NHWC)), "pool")
                .addLayer("fc", new DenseLayer.Builder().nIn(54).nOut(10).activation(Activation.TANH).build(), "flat")
                .addLayer("probs", new DenseLayer.Builder().nIn(10).nOut(4).activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("probs")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(6);
        g.getLayer("bn").getParam("mean").assign(Nd4j.rand(DataType.FLOAT, 1, 6).subi(0.5));
        g.getLayer("bn").getParam("beta").assign(Nd4j.rand(DataType.FLOAT, 1, 6).subi(0.5));
        return g;
    }

    @Test
    void sameOutputsOnChannelsFirstImages() {
        ComputationGraph nhwc = channelsLast();
        ComputationGraph nchw = ChannelsFirst.of(nhwc);
        Nd4j.getRandom().setSeed(7);
        INDArray images = Nd4j.rand(DataType.FLOAT, 5, 12, 12, 3);                 // NHWC
        INDArray expected = nhwc.outputSingle(false, images);
        INDArray chw = images.permute(0, 3, 1, 2).dup('c');                        // NCHW
        INDArray actual = nchw.outputSingle(false, chw);
        assertTrue(expected.equalsWithEps(actual, 1e-5), actual + "\nvs\n" + expected);

        assertEquals(CNN2DFormat.NCHW, ((ConvolutionLayer) nchw.getLayer("conv").conf().getLayer()).getCnn2dDataFormat());
        assertTrue(nchw.getLayer("probs").conf().getLayer() instanceof OutputLayer, "the softmax classifier is an output layer");
        assertEquals(nhwc.numParams(), nchw.numParams());

        // Kompakt's form: flat [n, c*h*w] inputs in channel-row-column order
        ComputationGraph flat = Networks.acceptFlatInput(nchw, 12, 12, 3);
        assertEquals(List.of(), Networks.check(flat, 12, 12, 3, 4));
        INDArray fromFlat = flat.outputSingle(false, chw.reshape('c', 5, 3 * 12 * 12));
        assertTrue(expected.equalsWithEps(fromFlat, 1e-5), fromFlat + "\nvs\n" + expected);
    }

    @Test
    void aFlattenOnTheInputIsRemovedAndTheDenseRowsReordered() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).graphBuilder()
                .addInputs("in")
                .addLayer("fc", new DenseLayer.Builder().nIn(2 * 3 * 4).nOut(5).activation(Activation.RELU).build(),
                        new CnnToFeedForwardPreProcessor(3, 4, 2, CNN2DFormat.NHWC), "in")
                .addLayer("out", new DenseLayer.Builder().nIn(5).nOut(3).activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").build();
        ComputationGraph nhwc = new ComputationGraph(conf);
        nhwc.init();
        ComputationGraph converted = ChannelsFirst.of(nhwc);
        INDArray images = Nd4j.rand(DataType.FLOAT, 4, 3, 4, 2);
        INDArray chwFlat = images.permute(0, 3, 1, 2).dup('c').reshape('c', 4, 24);
        assertTrue(nhwc.outputSingle(false, images).equalsWithEps(converted.outputSingle(false, chwFlat), 1e-5));
        assertEquals(List.of(), Networks.check(converted, 3, 4, 2, 3));
    }
}

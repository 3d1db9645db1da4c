package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayerSupportTest {
    @Test
    void dilatedPoolingIsRefusedByNameAndUndilatedPoolingIsSupported() {
        for (int dilation : new int[] {1, 2}) {
            var conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(8, 8, 2))
                    .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(1, 1).dilation(dilation, dilation).build(), "in")
                    .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
                    .addLayer("out", new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX).build(), "gap").setOutputs("out").build();
            assertEquals(dilation == 1 ? List.of() : List.of("vertex 'pool': dilated pooling (dilation 2x2) is not supported: ND4J's oneDNN"
                    + " build computes it without the dilation; use dilation 1"), LayerSupport.problems(conf));
        }
    }
}

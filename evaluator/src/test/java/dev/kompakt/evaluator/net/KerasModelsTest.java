package dev.kompakt.evaluator.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.net.KerasH5Writer.Weight;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras HDF5 files written by {@link KerasH5Writer} (tf.keras 2.4 JSON, Keras weight layouts) and loaded by
 * {@link KerasModels}: each imported graph's outputs against a plain-Java forward pass over the same weights, its
 * parameter count against Keras's (BatchNormalization's moving statistics included), and the exact DL4J vertex, layer
 * and preprocessor classes the import produces. Imported CNN graphs are channels-last: every convolution, batch norm,
 * pooling, zero-padding layer and flatten preprocessor is NHWC, and the graph input is [n, h, w, c].
 */
public class KerasModelsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- (a) Sequential MLP

    @Test
    void sequentialMlp() throws IOException {
        Random r = new Random(1);
        float[] k1 = random(r, 784 * 64, 0.05f);
        float[] b1 = random(r, 64, 0.1f);
        float[] k2 = random(r, 64 * 10, 0.2f);
        float[] b2 = random(r, 10, 0.1f);
        Path file = dir.resolve("mlp.h5");
        KerasH5Writer.write(file, sequentialMlpConfig(), trainingConfig(), mlpWeights(k1, b1, k2, b2));

        ComputationGraph cg = KerasModels.load(file);
        describe("sequential MLP", cg);
        // MultiLayerConversion.toGraph(): input "input", the layers keep their Keras names; the Keras Flatten is the first
        // Dense layer's input preprocessor; no output layer (training config not imported)
        assertEquals(List.of("input"), cg.getConfiguration().getNetworkInputs());
        assertEquals(List.of(
                "dense <- [input]: LayerVertex/DenseLayer(relu) + CnnToFeedForwardPreProcessor(NHWC)",
                "dense_1 <- [dense]: LayerVertex/DenseLayer(softmax)"), structure(cg));
        assertEquals(784L * 64 + 64 + 64 * 10 + 10, cg.numParams());

        int n = 3;
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = random(r, 28 * 28, 1f);
        }
        // Keras input [n, 28, 28, 1], NHWC
        INDArray x = Nd4j.create(flat(images), new long[]{n, 28, 28, 1}, 'c');
        INDArray out = cg.outputSingle(false, x);
        // the preprocessor passes rank-2 input through: flat [n, 784] rows (H, W, C order) give the same outputs
        assertEquals(out, cg.outputSingle(false, x.reshape('c', n, 784)));
        for (int i = 0; i < n; i++) {
            float[] h = Ref.relu(Ref.dense(images[i], k1, b1, 784, 64));
            float[] y = Ref.softmax(Ref.dense(h, k2, b2, 64, 10));
            assertClose(y, out.getRow(i).toFloatVector(), "MLP sample " + i);
        }
    }

    /** A Keras Sequential model: Flatten of 28x28x1, Dense 64 relu ('dense'), Dense 10 softmax ('dense_1'). */
    public static String sequentialMlpConfig() {
        ArrayNode layers = F.arrayNode();
        layers.add(seqLayer("InputLayer", inputConfig("flatten_input", 28, 28, 1)));
        ObjectNode flatten = base("flatten");
        flatten.set("batch_input_shape", shape(28, 28, 1));
        flatten.put("dtype", "float32");
        flatten.put("data_format", "channels_last");
        layers.add(seqLayer("Flatten", flatten));
        layers.add(seqLayer("Dense", dense("dense", 64, "relu")));
        layers.add(seqLayer("Dense", dense("dense_1", 10, "softmax")));
        ObjectNode config = F.objectNode();
        config.put("name", "sequential");
        config.set("layers", layers);
        return model("Sequential", config);
    }

    public static LinkedHashMap<String, List<Weight>> mlpWeights(float[] k1, float[] b1, float[] k2, float[] b2) {
        // Sequential models' model.layers leave the InputLayer out
        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("flatten", List.of());
        w.put("dense", List.of(KerasH5Writer.weight("dense", "kernel", k1, 784, 64), KerasH5Writer.weight("dense", "bias", b1, 64)));
        w.put("dense_1", List.of(KerasH5Writer.weight("dense_1", "kernel", k2, 64, 10), KerasH5Writer.weight("dense_1", "bias", b2, 10)));
        return w;
    }

    // ---------------------------------------------------------------- (b) Functional CNN

    static final int CH = 16, CW = 16, CC = 3, CF = 8, CLASSES = 10;

    record Cnn(float[] kernel, float[] bias, float[] gamma, float[] beta, float[] mean, float[] var, float[] dk, float[] db) {
        static Cnn random(Random r) {
            float[] var = KerasModelsTest.random(r, CF, 0.5f);
            for (int i = 0; i < var.length; i++) {
                var[i] = 0.6f + Math.abs(var[i]);
            }
            return new Cnn(KerasModelsTest.random(r, 3 * 3 * CC * CF, 0.3f), KerasModelsTest.random(r, CF, 0.1f),
                    plusOne(KerasModelsTest.random(r, CF, 0.2f)), KerasModelsTest.random(r, CF, 0.1f),
                    KerasModelsTest.random(r, CF, 0.2f), var,
                    KerasModelsTest.random(r, CF * CLASSES, 0.4f), KerasModelsTest.random(r, CLASSES, 0.1f));
        }

        LinkedHashMap<String, List<Weight>> weights() {
            LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
            w.put("input_1", List.of());
            w.put("conv2d", List.of(KerasH5Writer.weight("conv2d", "kernel", kernel, 3, 3, CC, CF),
                    KerasH5Writer.weight("conv2d", "bias", bias, CF)));
            w.put("batch_normalization", List.of(
                    KerasH5Writer.weight("batch_normalization", "gamma", gamma, CF),
                    KerasH5Writer.weight("batch_normalization", "beta", beta, CF),
                    KerasH5Writer.weight("batch_normalization", "moving_mean", mean, CF),
                    KerasH5Writer.weight("batch_normalization", "moving_variance", var, CF)));
            w.put("re_lu", List.of());
            w.put("global_average_pooling2d", List.of());
            w.put("dense", List.of(KerasH5Writer.weight("dense", "kernel", dk, CF, CLASSES),
                    KerasH5Writer.weight("dense", "bias", db, CLASSES)));
            return w;
        }

        float[] forward(float[] x) {
            float[] h = Ref.conv2dSame(x, CH, CW, CC, kernel, bias, 3, 3, CF);
            h = Ref.batchNorm(h, CF, gamma, beta, mean, var, 1e-3f);
            h = Ref.relu(h);
            float[] pooled = Ref.globalAveragePool(h, CH * CW, CF);
            return Ref.softmax(Ref.dense(pooled, dk, db, CF, CLASSES));
        }
    }

    static String functionalCnnConfig() {
        ArrayNode layers = F.arrayNode();
        layers.add(node("InputLayer", "input_1", inputConfig("input_1", CH, CW, CC)));
        layers.add(node("Conv2D", "conv2d", conv2d("conv2d", CF, 3, "same", "linear"), "input_1"));
        layers.add(node("BatchNormalization", "batch_normalization", batchNorm("batch_normalization"), "conv2d"));
        layers.add(node("ReLU", "re_lu", relu("re_lu"), "batch_normalization"));
        ObjectNode gap = base("global_average_pooling2d");
        gap.put("dtype", "float32");
        gap.put("data_format", "channels_last");
        layers.add(node("GlobalAveragePooling2D", "global_average_pooling2d", gap, "re_lu"));
        layers.add(node("Dense", "dense", dense("dense", CLASSES, "softmax"), "global_average_pooling2d"));
        return functional("model", layers, "input_1", "dense");
    }

    @Test
    void functionalCnn() {
        Random r = new Random(2);
        Cnn net = Cnn.random(r);
        Path file = dir.resolve("cnn.h5");
        KerasH5Writer.write(file, functionalCnnConfig(), null, net.weights());

        ComputationGraph cg = KerasModels.load(file);
        describe("functional CNN", cg);
        assertEquals(List.of("input_1"), cg.getConfiguration().getNetworkInputs());
        assertEquals(List.of(
                "conv2d <- [input_1]: LayerVertex/ConvolutionLayer(NHWC, Same, identity)",
                "batch_normalization <- [conv2d]: LayerVertex/BatchNormalization(NHWC, useLogStd=false, identity)",
                "re_lu <- [batch_normalization]: LayerVertex/ActivationLayer(ActivationReLU(max=null))",
                "global_average_pooling2d <- [re_lu]: LayerVertex/GlobalPoolingLayer(AVG dims=[1, 2])",
                "dense <- [global_average_pooling2d]: LayerVertex/DenseLayer(softmax)"), structure(cg));
        assertEquals(3 * 3 * CC * CF + CF + 4 * CF + CF * CLASSES + CLASSES, cg.numParams());

        int n = 4;
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = random(r, CH * CW * CC, 1f);
        }
        INDArray out = cg.outputSingle(false, Nd4j.create(flat(images), new long[]{n, CH, CW, CC}, 'c')); // NHWC
        for (int i = 0; i < n; i++) {
            assertClose(net.forward(images[i]), out.getRow(i).toFloatVector(), "CNN sample " + i);
        }
    }

    // ---------------------------------------------------------------- (c) Functional residual

    static final int RH = 6, RW = 6, RC = 4, ROUT = 5;

    @Test
    void functionalResidual() throws IOException {
        Random r = new Random(3);
        float[] k1 = random(r, 3 * 3 * RC * RC, 0.3f), b1 = random(r, RC, 0.1f);
        float[] k2 = random(r, 3 * 3 * RC * RC, 0.3f), b2 = random(r, RC, 0.1f);
        float[] dk = random(r, RH * RW * RC * ROUT, 0.1f), db = random(r, ROUT, 0.1f);

        ArrayNode layers = F.arrayNode();
        layers.add(node("InputLayer", "input_1", inputConfig("input_1", RH, RW, RC)));
        layers.add(node("Conv2D", "conv2d", conv2d("conv2d", RC, 3, "same", "relu"), "input_1"));
        layers.add(node("Conv2D", "conv2d_1", conv2d("conv2d_1", RC, 3, "same", "linear"), "conv2d"));
        layers.add(node("Add", "add", withDtype(base("add")), "conv2d_1", "input_1"));
        layers.add(node("ReLU", "re_lu", relu("re_lu"), "add"));
        ObjectNode flatten = base("flatten");
        flatten.put("dtype", "float32");
        flatten.put("data_format", "channels_last");
        layers.add(node("Flatten", "flatten", flatten, "re_lu"));
        layers.add(node("Dense", "dense", dense("dense", ROUT, "softmax"), "flatten"));
        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("input_1", List.of());
        w.put("conv2d", List.of(KerasH5Writer.weight("conv2d", "kernel", k1, 3, 3, RC, RC), KerasH5Writer.weight("conv2d", "bias", b1, RC)));
        w.put("conv2d_1", List.of(KerasH5Writer.weight("conv2d_1", "kernel", k2, 3, 3, RC, RC), KerasH5Writer.weight("conv2d_1", "bias", b2, RC)));
        w.put("add", List.of());
        w.put("re_lu", List.of());
        w.put("flatten", List.of());
        w.put("dense", List.of(KerasH5Writer.weight("dense", "kernel", dk, RH * RW * RC, ROUT), KerasH5Writer.weight("dense", "bias", db, ROUT)));
        Path file = dir.resolve("residual.h5");
        KerasH5Writer.write(file, functional("model", layers, "input_1", "dense"), trainingConfig(), w);

        ComputationGraph cg = KerasModels.load(file);
        describe("functional residual", cg);
        assertEquals(List.of(
                "conv2d <- [input_1]: LayerVertex/ConvolutionLayer(NHWC, Same, relu)",
                "conv2d_1 <- [conv2d]: LayerVertex/ConvolutionLayer(NHWC, Same, identity)",
                "add <- [conv2d_1, input_1]: ElementWiseVertex(Add)",
                "re_lu <- [add]: LayerVertex/ActivationLayer(ActivationReLU(max=null))",
                "flatten <- [re_lu]: PreprocessorVertex/CnnToFeedForwardPreProcessor(NHWC)",
                "dense <- [flatten]: LayerVertex/DenseLayer(softmax)"), structure(cg));
        assertEquals(2L * (9 * RC * RC + RC) + RH * RW * RC * ROUT + ROUT, cg.numParams());

        int n = 3;
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = random(r, RH * RW * RC, 1f);
        }
        INDArray out = cg.outputSingle(false, Nd4j.create(flat(images), new long[]{n, RH, RW, RC}, 'c')); // NHWC
        for (int i = 0; i < n; i++) {
            float[] h = Ref.relu(Ref.conv2dSame(images[i], RH, RW, RC, k1, b1, 3, 3, RC));
            h = Ref.conv2dSame(h, RH, RW, RC, k2, b2, 3, 3, RC);
            for (int j = 0; j < h.length; j++) {
                h[j] += images[i][j];
            }
            h = Ref.relu(h);
            float[] y = Ref.softmax(Ref.dense(h, dk, db, RH * RW * RC, ROUT)); // Keras flattens NHWC: h, w, c order
            assertClose(y, out.getRow(i).toFloatVector(), "residual sample " + i);
        }

        // only stock DL4J classes: the graph survives DL4J's own serialisation
        var bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(cg, bytes, false);
        ComputationGraph restored = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), false);
        INDArray x = Nd4j.create(flat(images), new long[]{n, RH, RW, RC}, 'c');
        assertEquals(out, restored.outputSingle(false, x));
    }

    // ---------------------------------------------------------------- (d) MobileNet-style block

    @Test
    void functionalMobileBlock() {
        // 9x9x3 -> ZeroPadding2D ((0,1),(0,1)) -> Conv2D 3x3/2 valid, no bias -> BN -> ReLU(6)
        //   -> DepthwiseConv2D 3x3/2 same, multiplier 2 -> BN -> ReLU(6) -> Conv2D 1x1 relu -> MaxPooling2D 2x2 -> Flatten -> Dense
        int h = 9, c = 3, f = 8, mult = 2, dwOut = f * mult, pw = 6, classes = 3;
        Random r = new Random(11);
        float[] k1 = random(r, 3 * 3 * c * f, 0.3f);
        float[][] bn1 = bnParams(r, f);
        for (int i = 0; i < f; i++) {
            bn1[0][i] *= 8f; // gamma large enough that ReLU's max_value 6 clips
        }
        float[] dk = random(r, 3 * 3 * f * mult, 0.3f), dbias = random(r, dwOut, 0.1f);
        float[][] bn2 = bnParams(r, dwOut);
        float[] k3 = random(r, dwOut * pw, 0.3f), b3 = random(r, pw, 0.1f);
        float[] k4 = random(r, pw * classes, 0.5f), b4 = random(r, classes, 0.1f);

        ArrayNode layers = F.arrayNode();
        layers.add(node("InputLayer", "input_1", inputConfig("input_1", h, h, c)));
        ObjectNode pad = withDtype(base("zero_padding2d"));
        pad.set("padding", F.arrayNode().add(F.arrayNode().add(0).add(1)).add(F.arrayNode().add(0).add(1)));
        pad.put("data_format", "channels_last");
        layers.add(node("ZeroPadding2D", "zero_padding2d", pad, "input_1"));
        ObjectNode conv = conv2d("conv2d", f, 3, "valid", "linear");
        conv.set("strides", F.arrayNode().add(2).add(2));
        conv.put("use_bias", false);
        layers.add(node("Conv2D", "conv2d", conv, "zero_padding2d"));
        layers.add(node("BatchNormalization", "batch_normalization", batchNorm("batch_normalization"), "conv2d"));
        ObjectNode relu6 = relu("re_lu");
        relu6.put("max_value", 6.0);
        layers.add(node("ReLU", "re_lu", relu6, "batch_normalization"));
        ObjectNode dw = withDtype(base("depthwise_conv2d"));
        dw.set("kernel_size", F.arrayNode().add(3).add(3));
        dw.set("strides", F.arrayNode().add(2).add(2));
        dw.put("padding", "same");
        dw.put("data_format", "channels_last");
        dw.set("dilation_rate", F.arrayNode().add(1).add(1));
        dw.put("groups", 1);
        dw.put("activation", "linear");
        dw.put("use_bias", true);
        dw.set("bias_initializer", initializer("Zeros"));
        dw.putNull("bias_regularizer");
        dw.putNull("activity_regularizer");
        dw.putNull("bias_constraint");
        dw.put("depth_multiplier", mult);
        dw.set("depthwise_initializer", initializer("GlorotUniform"));
        dw.putNull("depthwise_regularizer");
        dw.putNull("depthwise_constraint");
        layers.add(node("DepthwiseConv2D", "depthwise_conv2d", dw, "re_lu"));
        layers.add(node("BatchNormalization", "batch_normalization_1", batchNorm("batch_normalization_1"), "depthwise_conv2d"));
        ObjectNode relu6b = relu("re_lu_1");
        relu6b.put("max_value", 6.0);
        layers.add(node("ReLU", "re_lu_1", relu6b, "batch_normalization_1"));
        layers.add(node("Conv2D", "conv2d_1", conv2d("conv2d_1", pw, 1, "valid", "relu"), "re_lu_1"));
        ObjectNode pool = withDtype(base("max_pooling2d"));
        pool.set("pool_size", F.arrayNode().add(2).add(2));
        pool.put("padding", "valid");
        pool.set("strides", F.arrayNode().add(2).add(2));
        pool.put("data_format", "channels_last");
        layers.add(node("MaxPooling2D", "max_pooling2d", pool, "conv2d_1"));
        ObjectNode flatten = withDtype(base("flatten"));
        flatten.put("data_format", "channels_last");
        layers.add(node("Flatten", "flatten", flatten, "max_pooling2d"));
        layers.add(node("Dense", "dense", dense("dense", classes, "softmax"), "flatten"));

        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("input_1", List.of());
        w.put("zero_padding2d", List.of());
        w.put("conv2d", List.of(KerasH5Writer.weight("conv2d", "kernel", k1, 3, 3, c, f)));
        w.put("batch_normalization", bnWeights("batch_normalization", bn1));
        w.put("re_lu", List.of());
        w.put("depthwise_conv2d", List.of(KerasH5Writer.weight("depthwise_conv2d", "depthwise_kernel", dk, 3, 3, f, mult),
                KerasH5Writer.weight("depthwise_conv2d", "bias", dbias, dwOut)));
        w.put("batch_normalization_1", bnWeights("batch_normalization_1", bn2));
        w.put("re_lu_1", List.of());
        w.put("conv2d_1", List.of(KerasH5Writer.weight("conv2d_1", "kernel", k3, 1, 1, dwOut, pw), KerasH5Writer.weight("conv2d_1", "bias", b3, pw)));
        w.put("max_pooling2d", List.of());
        w.put("flatten", List.of());
        w.put("dense", List.of(KerasH5Writer.weight("dense", "kernel", k4, pw, classes), KerasH5Writer.weight("dense", "bias", b4, classes)));
        Path file = dir.resolve("mobile.h5");
        KerasH5Writer.write(file, functional("model", layers, "input_1", "dense"), null, w);

        ComputationGraph cg = KerasModels.load(file);
        describe("functional mobile block", cg);
        assertEquals(List.of(
                "zero_padding2d <- [input_1]: LayerVertex/ZeroPaddingLayer(NHWC [0, 1, 0, 1])",
                "conv2d <- [zero_padding2d]: LayerVertex/ConvolutionLayer(NHWC, Truncate, identity)",
                "batch_normalization <- [conv2d]: LayerVertex/BatchNormalization(NHWC, useLogStd=false, identity)",
                "re_lu <- [batch_normalization]: LayerVertex/ActivationLayer(ActivationReLU(max=6.0))",
                "depthwise_conv2d <- [re_lu]: LayerVertex/DepthwiseConvolution2D(NHWC, Same, identity)",
                "batch_normalization_1 <- [depthwise_conv2d]: LayerVertex/BatchNormalization(NHWC, useLogStd=false, identity)",
                "re_lu_1 <- [batch_normalization_1]: LayerVertex/ActivationLayer(ActivationReLU(max=6.0))",
                "conv2d_1 <- [re_lu_1]: LayerVertex/ConvolutionLayer(NHWC, Truncate, relu)",
                "max_pooling2d <- [conv2d_1]: LayerVertex/SubsamplingLayer(NHWC, MAX)",
                "flatten <- [max_pooling2d]: PreprocessorVertex/CnnToFeedForwardPreProcessor(NHWC)",
                "dense <- [flatten]: LayerVertex/DenseLayer(softmax)"), structure(cg));
        assertEquals(27 * f + 4 * f + 9 * f * mult + dwOut + 4 * dwOut + dwOut * pw + pw + pw * classes + classes, cg.numParams());

        int n = 3;
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = random(r, h * h * c, 1f);
        }
        INDArray out = cg.outputSingle(false, Nd4j.create(flat(images), new long[]{n, h, h, c}, 'c')); // NHWC
        int clipped = 0;
        for (int i = 0; i < n; i++) {
            float[] x = Ref.zeroPad(images[i], h, h, c, 0, 1, 0, 1);                       // 10x10x3
            float[] y = Ref.conv2d(x, 10, 10, c, k1, null, 3, 3, f, 2, 0, 0, 4, 4);         // valid: 4x4x8
            y = Ref.batchNorm(y, f, bn1[0], bn1[1], bn1[2], bn1[3], 1e-3f);
            for (float v : y) {
                clipped += v > 6 ? 1 : 0;
            }
            y = Ref.relu6(y);
            y = Ref.depthwise(y, 4, 4, f, dk, dbias, 3, 3, mult, 2, 0, 0, 2, 2);           // TF same, stride 2: pad 0 before, 1 after
            y = Ref.relu6(Ref.batchNorm(y, dwOut, bn2[0], bn2[1], bn2[2], bn2[3], 1e-3f));
            y = Ref.relu(Ref.conv2d(y, 2, 2, dwOut, k3, b3, 1, 1, pw, 1, 0, 0, 2, 2));
            y = Ref.globalMaxPool(y, 4, pw);                                                // 2x2 pool of a 2x2 map
            assertClose(Ref.softmax(Ref.dense(y, k4, b4, pw, classes)), out.getRow(i).toFloatVector(), "mobile sample " + i);
        }
        assertTrue(clipped > 0, "the test must exercise ReLU's max_value");
    }

    static float[][] bnParams(Random r, int ch) {
        float[] var = random(r, ch, 0.5f);
        for (int i = 0; i < ch; i++) {
            var[i] = 0.6f + Math.abs(var[i]);
        }
        return new float[][]{plusOne(random(r, ch, 0.2f)), random(r, ch, 0.1f), random(r, ch, 0.2f), var};
    }

    static List<Weight> bnWeights(String layer, float[][] p) {
        int ch = p[0].length;
        return List.of(KerasH5Writer.weight(layer, "gamma", p[0], ch), KerasH5Writer.weight(layer, "beta", p[1], ch),
                KerasH5Writer.weight(layer, "moving_mean", p[2], ch), KerasH5Writer.weight(layer, "moving_variance", p[3], ch));
    }

    // ---------------------------------------------------------------- failures

    @Test
    void randomBytesAreRefusedNamingTheFile() throws IOException {
        Path file = dir.resolve("noise.h5");
        byte[] noise = new byte[4096];
        new Random(4).nextBytes(noise);
        Files.write(file, noise);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(file));
        System.out.println("random bytes: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void truncatedFileIsRefusedNamingTheFile() throws IOException {
        Path whole = dir.resolve("whole.h5");
        KerasH5Writer.write(whole, functionalCnnConfig(), null, Cnn.random(new Random(5)).weights());
        byte[] bytes = Files.readAllBytes(whole);
        for (int keep : new int[]{bytes.length / 2, bytes.length - 100, 600}) {
            Path cut = dir.resolve("cut-" + keep + ".h5");
            Files.write(cut, Arrays.copyOf(bytes, keep));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(cut));
            System.out.println("truncated to " + keep + " of " + bytes.length + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        }
    }

    @Test
    void customLayerClassIsRefusedNamingFileLayerAndClass() {
        ArrayNode layers = F.arrayNode();
        layers.add(node("InputLayer", "input_1", inputConfig("input_1", CH, CW, CC)));
        layers.add(node("Conv2D", "conv2d", conv2d("conv2d", CF, 3, "same", "relu"), "input_1"));
        layers.add(node("MySwishGate", "my_swish_gate", withDtype(base("my_swish_gate")), "conv2d"));
        layers.add(node("GlobalAveragePooling2D", "global_average_pooling2d", withDtype(base("global_average_pooling2d")), "my_swish_gate"));
        layers.add(node("Dense", "dense", dense("dense", CLASSES, "softmax"), "global_average_pooling2d"));
        Cnn net = Cnn.random(new Random(6));
        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("input_1", List.of());
        w.put("conv2d", net.weights().get("conv2d"));
        w.put("my_swish_gate", List.of());
        w.put("global_average_pooling2d", List.of());
        w.put("dense", net.weights().get("dense"));
        Path file = dir.resolve("custom.h5");
        KerasH5Writer.write(file, functional("model", layers, "input_1", "dense"), null, w);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(file));
        System.out.println("custom layer: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("my_swish_gate"), e.getMessage());
        assertTrue(e.getMessage().contains("MySwishGate"), e.getMessage());
    }

    @Test
    void unsupportedKerasLayerIsRefusedNamingFileLayerAndClass() {
        // LayerNormalization: a stock Keras layer DL4J 1.0.0-M2.1's Keras import has no mapping for
        ArrayNode layers = F.arrayNode();
        layers.add(node("InputLayer", "input_1", inputConfig("input_1", 20)));
        layers.add(node("Dense", "dense", dense("dense", 8, "relu"), "input_1"));
        ObjectNode ln = withDtype(base("layer_normalization"));
        ln.set("axis", F.arrayNode().add(1));
        ln.put("epsilon", 0.001);
        ln.put("center", true);
        ln.put("scale", true);
        layers.add(node("LayerNormalization", "layer_normalization", ln, "dense"));
        layers.add(node("Dense", "dense_1", dense("dense_1", 3, "softmax"), "layer_normalization"));
        Random r = new Random(7);
        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("input_1", List.of());
        w.put("dense", List.of(KerasH5Writer.weight("dense", "kernel", random(r, 160, 0.1f), 20, 8), KerasH5Writer.weight("dense", "bias", random(r, 8, 0.1f), 8)));
        w.put("layer_normalization", List.of(KerasH5Writer.weight("layer_normalization", "gamma", random(r, 8, 0.1f), 8),
                KerasH5Writer.weight("layer_normalization", "beta", random(r, 8, 0.1f), 8)));
        w.put("dense_1", List.of(KerasH5Writer.weight("dense_1", "kernel", random(r, 24, 0.1f), 8, 3), KerasH5Writer.weight("dense_1", "bias", random(r, 3, 0.1f), 3)));
        Path file = dir.resolve("layernorm.h5");
        KerasH5Writer.write(file, functional("model", layers, "input_1", "dense_1"), null, w);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(file));
        System.out.println("unsupported layer: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("layer_normalization"), e.getMessage());
        assertTrue(e.getMessage().contains("LayerNormalization"), e.getMessage());
    }

    /** A two-Dense functional model: input 20 -> dense (8, relu) -> dense_1 (3, softmax). */
    static String twoDenseConfig() {
        ArrayNode layers = F.arrayNode();
        layers.add(node("InputLayer", "input_1", inputConfig("input_1", 20)));
        layers.add(node("Dense", "dense", dense("dense", 8, "relu"), "input_1"));
        layers.add(node("Dense", "dense_1", dense("dense_1", 3, "softmax"), "dense"));
        return functional("model", layers, "input_1", "dense_1");
    }

    @Test
    void weightsWhereDl4jDoesNotLookAreRefusedNamingFileAndLayer() {
        // Weight names without the ":0" suffix and datasets directly in the layer group: DL4J looks in
        // model_weights/dense/dense, logs "No HDF5 group with weights found", and then refuses to copy null weights
        Random r = new Random(8);
        float[] k = random(r, 160, 0.1f);
        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("input_1", List.of());
        w.put("dense", List.of(new Weight("dense_W", new long[]{20, 8}, k), new Weight("dense_b", new long[]{8}, random(r, 8, 0.1f))));
        w.put("dense_1", List.of(KerasH5Writer.weight("dense_1", "kernel", random(r, 24, 0.1f), 8, 3),
                KerasH5Writer.weight("dense_1", "bias", random(r, 3, 0.1f), 3)));
        Path file = dir.resolve("misplaced.h5");
        KerasH5Writer.write(file, twoDenseConfig(), null, w);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(file));
        System.out.println("misplaced weights: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'dense'"), e.getMessage());
    }

    @Test
    void wrongWeightShapeIsRefusedNamingFileAndLayer() {
        Random r = new Random(9);
        LinkedHashMap<String, List<Weight>> w = new LinkedHashMap<>();
        w.put("input_1", List.of());
        w.put("dense", List.of(KerasH5Writer.weight("dense", "kernel", random(r, 140, 0.1f), 20, 7),
                KerasH5Writer.weight("dense", "bias", random(r, 7, 0.1f), 7)));
        w.put("dense_1", List.of(KerasH5Writer.weight("dense_1", "kernel", random(r, 24, 0.1f), 8, 3),
                KerasH5Writer.weight("dense_1", "bias", random(r, 3, 0.1f), 3)));
        Path file = dir.resolve("shape.h5");
        KerasH5Writer.write(file, twoDenseConfig(), null, w);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(file));
        System.out.println("wrong shape: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("layer 'dense' (Keras class Dense)"), e.getMessage());
    }

    @Test
    void weightsOnlyFileIsRefusedNamingTheFile() {
        Random r = new Random(10);
        Path file = dir.resolve("weights-only.h5");
        KerasH5Writer.write(file, null, null, mlpWeights(random(r, 784 * 64, 0.1f), random(r, 64, 0.1f),
                random(r, 640, 0.1f), random(r, 10, 0.1f)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasModels.load(file));
        System.out.println("weights only: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("model_config"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers: structure report

    /** Prints what DL4J's Keras import produced: vertex and layer classes, preprocessors, layouts. */
    static void describe(String what, ComputationGraph cg) {
        ComputationGraphConfiguration conf = cg.getConfiguration();
        StringBuilder sb = new StringBuilder("=== ").append(what).append(": inputs ").append(conf.getNetworkInputs())
                .append(" outputs ").append(conf.getNetworkOutputs()).append('\n');
        for (String line : structure(cg)) {
            sb.append("  ").append(line).append('\n');
        }
        System.out.println(sb);
    }

    /**
     * One line per vertex in topological order: {@code name <- inputs: VertexClass[/LayerClass(details)][ + preprocessor]},
     * with the data format of CNN layers and preprocessors and the activation class of activation layers.
     */
    static List<String> structure(ComputationGraph cg) {
        ComputationGraphConfiguration conf = cg.getConfiguration();
        List<String> lines = new ArrayList<>();
        for (String name : topo(cg)) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue; // a network input
            }
            StringBuilder sb = new StringBuilder(name).append(" <- ").append(conf.getVertexInputs().get(name)).append(": ")
                    .append(v.getClass().getSimpleName());
            if (v instanceof LayerVertex lv) {
                var layer = lv.getLayerConf().getLayer();
                sb.append("/").append(layer.getClass().getSimpleName()).append(details(layer));
                if (lv.getPreProcessor() != null) {
                    sb.append(" + ").append(preprocessor(lv.getPreProcessor()));
                }
            } else if (v instanceof org.deeplearning4j.nn.conf.graph.PreprocessorVertex pv) {
                sb.append("/").append(preprocessor(pv.getPreProcessor()));
            } else if (v instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex ev) {
                sb.append("(").append(ev.getOp()).append(")");
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    static String details(org.deeplearning4j.nn.conf.layers.Layer layer) {
        List<String> d = new ArrayList<>();
        if (layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c) {
            d.add(c.getCnn2dDataFormat().toString());
            d.add(c.getConvolutionMode().toString());
        } else if (layer instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization b) {
            d.add(b.getCnn2DFormat().toString());
            d.add("useLogStd=" + b.isUseLogStd());
        } else if (layer instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer p) {
            d.add(p.getCnn2dDataFormat().toString());
            d.add(p.getPoolingType().toString());
        } else if (layer instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer p) {
            d.add(p.getPoolingType() + " dims=" + Arrays.toString(p.getPoolingDimensions()));
        } else if (layer instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer z) {
            d.add(z.getDataFormat() + " " + Arrays.toString(z.getPadding()));
        }
        if (layer instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a) {
            d.add(a.getActivationFn().getClass().getSimpleName() + activationFields(a.getActivationFn()));
        } else if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
            d.add(b.getActivationFn().toString());
        }
        return "(" + String.join(", ", d) + ")";
    }

    static String activationFields(org.nd4j.linalg.activations.IActivation a) {
        if (a instanceof org.nd4j.linalg.activations.impl.ActivationReLU r) {
            return "(max=" + r.getMax() + ")";
        }
        return "";
    }

    static String preprocessor(InputPreProcessor p) {
        if (p instanceof org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor c) {
            return "CnnToFeedForwardPreProcessor(" + c.getFormat() + ")";
        }
        return p.getClass().getSimpleName();
    }

    static List<String> topo(ComputationGraph cg) {
        List<String> names = new ArrayList<>();
        for (int i : cg.topologicalSortOrder()) {
            names.add(cg.getVertices()[i].getVertexName());
        }
        return names;
    }

    // ---------------------------------------------------------------- helpers: Keras JSON as tf.keras 2.4 writes it

    static String model(String className, ObjectNode config) {
        ObjectNode m = F.objectNode();
        m.put("class_name", className);
        m.set("config", config);
        m.put("keras_version", KerasH5Writer.KERAS_VERSION);
        m.put("backend", KerasH5Writer.BACKEND);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String functional(String name, ArrayNode layers, String input, String output) {
        ObjectNode config = F.objectNode();
        config.put("name", name);
        config.set("layers", layers);
        config.set("input_layers", F.arrayNode().add(F.arrayNode().add(input).add(0).add(0)));
        config.set("output_layers", F.arrayNode().add(F.arrayNode().add(output).add(0).add(0)));
        return model("Functional", config);
    }

    public static String trainingConfig() {
        ObjectNode t = F.objectNode();
        t.put("loss", "categorical_crossentropy");
        t.set("metrics", F.arrayNode().add("accuracy"));
        t.putNull("weighted_metrics");
        t.putNull("loss_weights");
        ObjectNode adam = F.objectNode();
        adam.put("name", "Adam");
        adam.put("learning_rate", 0.001);
        adam.put("decay", 0.0);
        adam.put("beta_1", 0.9);
        adam.put("beta_2", 0.999);
        adam.put("epsilon", 1e-7);
        adam.put("amsgrad", false);
        ObjectNode opt = F.objectNode();
        opt.put("class_name", "Adam");
        opt.set("config", adam);
        t.set("optimizer_config", opt);
        try {
            return JSON.writeValueAsString(t);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode seqLayer(String className, ObjectNode config) {
        ObjectNode l = F.objectNode();
        l.put("class_name", className);
        l.set("config", config);
        return l;
    }

    static ObjectNode node(String className, String name, ObjectNode config, String... inbound) {
        ObjectNode l = seqLayer(className, config);
        l.put("name", name);
        ArrayNode nodes = F.arrayNode();
        if (inbound.length > 0) {
            ArrayNode call = F.arrayNode();
            for (String in : inbound) {
                call.add(F.arrayNode().add(in).add(0).add(0).add(F.objectNode()));
            }
            nodes.add(call);
        }
        l.set("inbound_nodes", nodes);
        return l;
    }

    static ArrayNode shape(int... dims) {
        ArrayNode a = F.arrayNode().addNull();
        for (int d : dims) {
            a.add(d);
        }
        return a;
    }

    static ObjectNode inputConfig(String name, int... dims) {
        ObjectNode c = F.objectNode();
        c.set("batch_input_shape", shape(dims));
        c.put("dtype", "float32");
        c.put("sparse", false);
        c.put("ragged", false);
        c.put("name", name);
        return c;
    }

    static ObjectNode base(String name) {
        ObjectNode c = F.objectNode();
        c.put("name", name);
        c.put("trainable", true);
        return c;
    }

    static ObjectNode withDtype(ObjectNode c) {
        c.put("dtype", "float32");
        return c;
    }

    static ObjectNode initializer(String className) {
        ObjectNode i = F.objectNode();
        i.put("class_name", className);
        ObjectNode config = F.objectNode();
        if (className.startsWith("Glorot")) {
            config.putNull("seed");
        }
        i.set("config", config);
        return i;
    }

    static void noRegularizers(ObjectNode c, String... prefixes) {
        for (String p : prefixes) {
            c.putNull(p + "_regularizer");
        }
    }

    static ObjectNode dense(String name, int units, String activation) {
        ObjectNode c = withDtype(base(name));
        c.put("units", units);
        c.put("activation", activation);
        c.put("use_bias", true);
        c.set("kernel_initializer", initializer("GlorotUniform"));
        c.set("bias_initializer", initializer("Zeros"));
        noRegularizers(c, "kernel", "bias", "activity");
        c.putNull("kernel_constraint");
        c.putNull("bias_constraint");
        return c;
    }

    static ObjectNode conv2d(String name, int filters, int k, String padding, String activation) {
        ObjectNode c = withDtype(base(name));
        c.put("filters", filters);
        c.set("kernel_size", F.arrayNode().add(k).add(k));
        c.set("strides", F.arrayNode().add(1).add(1));
        c.put("padding", padding);
        c.put("data_format", "channels_last");
        c.set("dilation_rate", F.arrayNode().add(1).add(1));
        c.put("groups", 1);
        c.put("activation", activation);
        c.put("use_bias", true);
        c.set("kernel_initializer", initializer("GlorotUniform"));
        c.set("bias_initializer", initializer("Zeros"));
        noRegularizers(c, "kernel", "bias", "activity");
        c.putNull("kernel_constraint");
        c.putNull("bias_constraint");
        return c;
    }

    static ObjectNode batchNorm(String name) {
        ObjectNode c = withDtype(base(name));
        c.set("axis", F.arrayNode().add(3));
        c.put("momentum", 0.99);
        c.put("epsilon", 0.001);
        c.put("center", true);
        c.put("scale", true);
        c.set("beta_initializer", initializer("Zeros"));
        c.set("gamma_initializer", initializer("Ones"));
        c.set("moving_mean_initializer", initializer("Zeros"));
        c.set("moving_variance_initializer", initializer("Ones"));
        c.putNull("beta_regularizer");
        c.putNull("gamma_regularizer");
        c.putNull("beta_constraint");
        c.putNull("gamma_constraint");
        return c;
    }

    static ObjectNode relu(String name) {
        ObjectNode c = withDtype(base(name));
        c.putNull("max_value");
        c.put("negative_slope", 0.0);
        c.put("threshold", 0.0);
        return c;
    }

    // ---------------------------------------------------------------- helpers: numbers

    static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    static float[] plusOne(float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] += 1f;
        }
        return a;
    }

    static float[] flat(float[][] rows) {
        int n = 0;
        for (float[] r : rows) {
            n += r.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] r : rows) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 + 1e-4 * Math.abs(expected[i]),
                    what + "[" + i + "]: expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
        }
    }

    /** Keras semantics in plain loops, channels_last, row-major Keras weight layouts. */
    static final class Ref {
        static float[] dense(float[] x, float[] kernel, float[] bias, int in, int out) {
            float[] y = new float[out];
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += (double) x[i] * kernel[i * out + o];
                }
                y[o] = (float) s;
            }
            return y;
        }

        static float[] relu(float[] x) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.max(0f, x[i]);
            }
            return y;
        }

        static float[] softmax(float[] x) {
            double max = Double.NEGATIVE_INFINITY;
            for (float v : x) {
                max = Math.max(max, v);
            }
            double sum = 0;
            double[] e = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                e[i] = Math.exp(x[i] - max);
                sum += e[i];
            }
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = (float) (e[i] / sum);
            }
            return y;
        }

        /** x [h, w, c], kernel [kh, kw, c, f]; 'same' padding, stride 1 (Keras pads (k-1)/2 before, the rest after). */
        static float[] conv2dSame(float[] x, int h, int w, int c, float[] kernel, float[] bias, int kh, int kw, int f) {
            int ph = (kh - 1) / 2, pw = (kw - 1) / 2;
            float[] y = new float[h * w * f];
            for (int oy = 0; oy < h; oy++) {
                for (int ox = 0; ox < w; ox++) {
                    for (int o = 0; o < f; o++) {
                        double s = bias[o];
                        for (int i = 0; i < kh; i++) {
                            int iy = oy + i - ph;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int j = 0; j < kw; j++) {
                                int ix = ox + j - pw;
                                if (ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ci = 0; ci < c; ci++) {
                                    s += (double) x[(iy * w + ix) * c + ci] * kernel[((i * kw + j) * c + ci) * f + o];
                                }
                            }
                        }
                        y[(oy * w + ox) * f + o] = (float) s;
                    }
                }
            }
            return y;
        }

        /** Zero padding of an [h, w, c] map. */
        static float[] zeroPad(float[] x, int h, int w, int c, int top, int bottom, int left, int right) {
            int ow = w + left + right;
            float[] y = new float[(h + top + bottom) * ow * c];
            for (int i = 0; i < h; i++) {
                System.arraycopy(x, i * w * c, y, ((i + top) * ow + left) * c, w * c);
            }
            return y;
        }

        /** Convolution of an [h, w, c] map, kernel [kh, kw, c, f], given stride, leading padding and output size (zeros elsewhere). */
        static float[] conv2d(float[] x, int h, int w, int c, float[] kernel, float[] bias, int kh, int kw, int f,
                              int stride, int padTop, int padLeft, int oh, int ow) {
            float[] y = new float[oh * ow * f];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < f; o++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int i = 0; i < kh; i++) {
                            int iy = oy * stride + i - padTop;
                            for (int j = 0; j < kw; j++) {
                                int ix = ox * stride + j - padLeft;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ci = 0; ci < c; ci++) {
                                    s += (double) x[(iy * w + ix) * c + ci] * kernel[((i * kw + j) * c + ci) * f + o];
                                }
                            }
                        }
                        y[(oy * ow + ox) * f + o] = (float) s;
                    }
                }
            }
            return y;
        }

        /** Depthwise convolution, kernel [kh, kw, c, mult]; output channel ci * mult + m, as in Keras. */
        static float[] depthwise(float[] x, int h, int w, int c, float[] kernel, float[] bias, int kh, int kw, int mult,
                                 int stride, int padTop, int padLeft, int oh, int ow) {
            float[] y = new float[oh * ow * c * mult];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ci = 0; ci < c; ci++) {
                        for (int m = 0; m < mult; m++) {
                            int o = ci * mult + m;
                            double s = bias == null ? 0 : bias[o];
                            for (int i = 0; i < kh; i++) {
                                int iy = oy * stride + i - padTop;
                                for (int j = 0; j < kw; j++) {
                                    int ix = ox * stride + j - padLeft;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += (double) x[(iy * w + ix) * c + ci] * kernel[((i * kw + j) * c + ci) * mult + m];
                                    }
                                }
                            }
                            y[(oy * ow + ox) * c * mult + o] = (float) s;
                        }
                    }
                }
            }
            return y;
        }

        static float[] relu6(float[] x) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.min(6f, Math.max(0f, x[i]));
            }
            return y;
        }

        static float[] globalMaxPool(float[] x, int positions, int c) {
            float[] y = new float[c];
            Arrays.fill(y, Float.NEGATIVE_INFINITY);
            for (int p = 0; p < positions; p++) {
                for (int ch = 0; ch < c; ch++) {
                    y[ch] = Math.max(y[ch], x[p * c + ch]);
                }
            }
            return y;
        }

        static float[] batchNorm(float[] x, int c, float[] gamma, float[] beta, float[] mean, float[] var, float eps) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                int ch = i % c;
                y[i] = (float) (gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps) + beta[ch]);
            }
            return y;
        }

        static float[] globalAveragePool(float[] x, int positions, int c) {
            float[] y = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int p = 0; p < positions; p++) {
                    s += x[p * c + ch];
                }
                y[ch] = (float) (s / positions);
            }
            return y;
        }
    }
}

package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.net.Training;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code bin/kompakt bench inference}: DL4J inference throughput of one network at several input sizes, in batches of
 * {@link Training#inferenceBatch} (the largest activation within 16 MB), 64 and {@link Training#MAX_INFERENCE_BATCH}
 * examples, with the process's minor page faults over each pass (Linux {@code /proc/self/stat}). The network: three
 * 3x3 convolutions (32, 32 and 64 channels, the last with stride 2; batch normalisation after the first), global average
 * pooling and a 10-class softmax, on random 3-channel images; each configuration runs twice and the second pass is
 * reported (the first warms up).
 */
public final class InferenceBatchBenchmark {
    private InferenceBatchBenchmark() {
    }

    static ComputationGraph network(int size) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(size, size, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(32).convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), "in")
                .addLayer("b1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(32).convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), "b1")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(64).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "c2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** The process's minor page faults so far (field 10 of /proc/self/stat), or -1 where that file is not readable. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);   // fields after "(comm)": state is field 3, minflt field 10
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public static void run(List<Integer> sizes, int examples, PrintStream out) {
        out.printf("# bench inference%n%nDL4J inference (outputSingle, inference mode) of %d random 3-channel images per pass; network: conv 3x3 "
                + "32 ch + batch norm, conv 3x3 32 ch, conv 3x3 64 ch stride 2, global average pooling, softmax; OMP_NUM_THREADS=%s; "
                + "second of two passes per row; %s, %d cores%n%n", examples, System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        out.println("| input | largest activation per example | batch | how chosen | s per pass | examples/s | minor page faults per pass |");
        out.println("|---:|---:|---:|---|---:|---:|---:|");
        for (int size : sizes) {
            ComputationGraph net = network(size);
            INDArray x = Nd4j.rand(DataType.FLOAT, examples, 3, size, size);
            int rule = Training.inferenceBatch(net, x);
            long largest = Training.largestActivationBytes(net, x);
            java.util.NavigableSet<Integer> batches = new TreeSet<>(List.of(rule, 64, Training.MAX_INFERENCE_BATCH)).descendingSet();
            for (int batch : batches) {
                double seconds = 0;
                long faults = 0;
                for (int pass = 0; pass < 2; pass++) {
                    long f0 = minorFaults();
                    long t0 = System.nanoTime();
                    for (long start = 0; start < examples; start += batch) {
                        long end = Math.min(examples, start + batch);
                        net.outputSingle(false, x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
                    }
                    seconds = (System.nanoTime() - t0) / 1e9;
                    long f1 = minorFaults();
                    faults = f0 < 0 || f1 < 0 ? -1 : f1 - f0;
                }
                String how = batch == rule ? "Training.inferenceBatch (16 MB)" : batch == Training.MAX_INFERENCE_BATCH ? "the old fixed batch" : "fixed";
                out.printf("| %d px | %,d B | %d | %s | %.2f | %,.0f | %s |%n", size, largest, batch, how, seconds, examples / seconds,
                        faults < 0 ? "n/a" : String.format("%,d", faults));
            }
        }
    }
}

package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Users' model files, read as a {@link ComputationGraph}: DL4J zips ({@code ModelSerializer}; a MultiLayerNetwork is
 * converted by {@link dev.kompakt.strategies.MultiLayerConversion#toGraph}) and Keras HDF5 files ({@code .h5}/{@code .hdf5}, Sequential and
 * Functional, through DL4J's model import, then {@link ChannelsFirst}). Whether Kompakt supports what the file holds is {@link Networks#check}'s
 * business, not this class's.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * The network in {@code file}.
     *
     * @throws IllegalArgumentException naming the file when it is missing, unreadable, truncated or not a model
     */
    public static ComputationGraph read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras")) {
            return identityBatchNormActivations(ChannelsFirst.of(KerasModels.load(file)));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException(file + ": the file is empty (expected a DL4J model zip or a Keras .h5 file)");
        }
        ComputationGraph graph;
        try {
            graph = ModelBytes.read(bytes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a DL4J model zip (ComputationGraph or MultiLayerNetwork) or a Keras .h5 file ("
                    + describe(e) + ")", e);
        }
        return identityBatchNormActivations(graph);
    }

    /**
     * DL4J's BatchNormalization layer never applies its activation function (and DL4J's builders give it the default,
     * sigmoid): set to identity, so that everything that reads the configuration (ONNX export, cost model, activation
     * quantization) sees what the network computes. Returns {@code graph}, changed in place.
     */
    static ComputationGraph identityBatchNormActivations(ComputationGraph graph) {
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                bn.setActivationFn(new org.nd4j.linalg.activations.impl.ActivationIdentity());
            }
        }
        for (org.deeplearning4j.nn.conf.graph.GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                bn.setActivationFn(new org.nd4j.linalg.activations.impl.ActivationIdentity());
            }
        }
        return graph;
    }

    /** The innermost cause's message, in words: no exception class names (users read it). */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // a message may quote the file's bytes: only printable characters reach the console
        String m = root.getMessage() == null ? "" : root.getMessage().strip().replaceAll("[^\\x20-\\x7E\\n]", "?");
        if (root instanceof java.io.EOFException) {
            return "its content ends early or is not DL4J's" + (m.isEmpty() ? "" : ": " + m);
        }
        if (root instanceof java.util.zip.ZipException) {
            return "a damaged zip" + (m.isEmpty() ? "" : ": " + m);
        }
        if (m.isEmpty() || m.contains("Exception") || m.contains("java.") || m.contains("com.fasterxml") || m.contains("org.")) {
            return "its content is not a model DL4J can read";
        }
        if (m.startsWith("not a DL4J model zip")) {
            m = m.substring("not a DL4J model zip".length()).replaceFirst("^[:,]\\s*", "");
        }
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}

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
            return ChannelsFirst.of(KerasModels.load(file));
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        try {
            return ModelBytes.read(bytes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a DL4J model zip (ComputationGraph or MultiLayerNetwork) or a Keras .h5 file ("
                    + describe(e) + ")", e);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}

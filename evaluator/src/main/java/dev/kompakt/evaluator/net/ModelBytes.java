package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * DL4J model zip bytes (without updater state), for broadcasting and caching. Reading accepts a ComputationGraph zip and,
 * for caches and models of earlier versions, a MultiLayerNetwork zip, which is converted ({@link dev.kompakt.strategies.MultiLayerConversion#toGraph}:
 * the same layers, names and parameters).
 */
public final class ModelBytes {
    private ModelBytes() {
    }

    public static byte[] write(ComputationGraph net) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ModelSerializer.writeModel(net, out, false);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise model", e);
        }
    }

    public static ComputationGraph read(byte[] bytes) {
        try {
            if (isMultiLayerNetwork(bytes)) {
                return dev.kompakt.strategies.MultiLayerConversion.toGraph(ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false));
            }
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DL4J model bytes", e);
        }
    }

    /** Whether the zip's configuration is a MultiLayerNetwork's (its JSON has "confs"; a graph's has "vertices"). */
    static boolean isMultiLayerNetwork(byte[] bytes) throws IOException {
        try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("configuration.json")) {
                    String json = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    return json.contains("\"confs\"") && !json.contains("\"vertices\"");
                }
            }
        }
        throw new IOException("not a DL4J model zip: no configuration.json");
    }
}

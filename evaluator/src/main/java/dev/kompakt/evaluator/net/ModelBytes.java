package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** DL4J model zip bytes (without updater state), for broadcasting and caching. */
public final class ModelBytes {
    private ModelBytes() {
    }

    public static byte[] write(MultiLayerNetwork net) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ModelSerializer.writeModel(net, out, false);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise model", e);
        }
    }

    public static MultiLayerNetwork read(byte[] bytes) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DL4J model bytes", e);
        }
    }
}

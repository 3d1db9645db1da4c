package dev.kompakt.evaluator.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;
import static org.bytedeco.hdf5.global.hdf5.H5T_STRING;

/**
 * Keras 2 / tf.keras HDF5 model files ({@code model.save("m.h5")}, Sequential or Functional) as a DL4J
 * {@link ComputationGraph} with the file's weights.
 *
 * <p>The file's root attributes are read here, with buffers sized from the attribute, and handed to DL4J's
 * {@link KerasModelBuilder}, the builder behind {@code KerasModelImport.importKeras(Sequential)ModelAndWeights}
 * (those read {@code model_config} through {@code Hdf5Archive.readAttributeAsJson}, which lets HDF5 write the whole
 * attribute into a 2 KiB native buffer first: a native heap overrun for any config over 2 KiB, i.e. most real
 * models). DL4J then reads the weights from {@code model_weights}. Sequential models become a
 * {@link MultiLayerNetwork} and then a graph ({@link dev.kompakt.strategies.MultiLayerConversion#toGraph}, which keeps the
 * Keras layer names), Functional ones a graph.
 *
 * <p>The training config is not required and not imported ({@code enforceTrainingConfig=false}): the graphs have no
 * output/loss layer (the last Keras Dense becomes a plain {@code DenseLayer} with its activation) and DL4J's default
 * updater.
 *
 * <p>Every failure is an {@link IllegalArgumentException} naming the file (and, where DL4J's message names one, the
 * layer and its Keras class) with the cause chained. After import every DL4J layer's parameter count must equal the
 * number of weight values stored for the Keras layer of the same name, and the totals must agree; otherwise the
 * model is refused rather than returned with some weights missing or left at their random initial values.
 */
public final class KerasModels {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGNATURE = "\u0089HDF\r\n\u001a\n";

    private KerasModels() {
    }

    public static ComputationGraph load(Path h5) {
        String file = h5.toString();
        if (!Files.isRegularFile(h5) || !Files.isReadable(h5)) {
            throw new IllegalArgumentException("Keras model file " + file + " does not exist or is not a readable file");
        }
        Header header = readHeader(h5);
        try {
            if (header.sequential()) {
                MultiLayerNetwork net = importSequential(h5, header);
                checkParameters(file, header, net.getLayers());
                ComputationGraph graph = dev.kompakt.strategies.MultiLayerConversion.toGraph(net);
                checkTotal(file, header, graph.numParams());
                return ModelFiles.identityBatchNormActivations(graph);
            }
            ComputationGraph graph = importFunctional(h5, header);
            checkParameters(file, header, graph.getLayers());
            checkTotal(file, header, graph.numParams());
            return ModelFiles.identityBatchNormActivations(graph);
        } catch (Checked e) {
            throw e.refusal;
        } catch (Exception | LinkageError | AssertionError e) {
            throw new IllegalArgumentException(describe(file, header, e), e);
        }
    }

    /** Carries checkParameters' refusal past the catch-all that wraps DL4J's failures. */
    private static final class Checked extends RuntimeException {
        final IllegalArgumentException refusal;

        Checked(IllegalArgumentException refusal) {
            super(refusal.getMessage(), null, false, false);
            this.refusal = refusal;
        }
    }

    private static MultiLayerNetwork importSequential(Path h5, Header header) throws Exception {
        KerasModelBuilder builder = new KerasSequentialModel().modelBuilder();
        try (builder) {
            return builder.modelJson(header.modelJson()).weightsHdf5Filename(h5.toString())
                    .enforceTrainingConfig(false).buildSequential().getMultiLayerNetwork();
        }
    }

    private static ComputationGraph importFunctional(Path h5, Header header) throws Exception {
        KerasModelBuilder builder = new KerasModel().modelBuilder();
        try (builder) {
            return builder.modelJson(header.modelJson()).weightsHdf5Filename(h5.toString())
                    .enforceTrainingConfig(false).buildModel().getComputationGraph();
        }
    }

    /**
     * Each DL4J layer (by its Keras name) against the weight values stored for that Keras layer, and each Keras layer
     * with stored weights against the DL4J layers.
     */
    private static void checkParameters(String file, Header header, org.deeplearning4j.nn.api.Layer[] layers) {
        List<String> wrong = new ArrayList<>();
        Set<String> imported = new java.util.HashSet<>();
        for (org.deeplearning4j.nn.api.Layer layer : layers) {
            String name = layer.conf().getLayer().getLayerName();
            imported.add(name);
            long expected = header.storedPerLayer().getOrDefault(name, 0L);
            if (layer.numParams() != expected) {
                wrong.add("layer '" + name + "' (" + header.classOf(name) + "): DL4J " + layer.numParams()
                        + " parameters, file " + expected + " weight values");
            }
        }
        header.storedPerLayer().forEach((name, stored) -> {
            if (stored > 0 && !imported.contains(name)) {
                wrong.add("layer '" + name + "' (" + header.classOf(name) + "): file " + stored
                        + " weight values, no DL4J layer holds them");
            }
        });
        refuseIf(file, header, wrong);
    }

    private static void checkTotal(String file, Header header, long total) {
        long stored = header.storedPerLayer().values().stream().mapToLong(Long::longValue).sum();
        refuseIf(file, header, total == stored ? List.of()
                : List.of("DL4J " + total + " parameters in all, file " + stored + " weight values"));
    }

    private static void refuseIf(String file, Header header, List<String> wrong) {
        if (!wrong.isEmpty()) {
            throw new Checked(new IllegalArgumentException("Keras model file " + file + ": the imported "
                    + header.className() + " model does not hold exactly the file's weights: " + String.join("; ", wrong)));
        }
    }


    /**
     * The file's config attributes, read with HDF5 directly. The model JSON gets keras_version and backend added as
     * DL4J's own reader does; storedPerLayer counts the float values under model_weights/&lt;layer&gt;.
     */
    record Header(String className, boolean sequential, String modelJson, List<Layer> layers, Map<String, Long> storedPerLayer) {
        String classOf(String layer) {
            return layers.stream().filter(l -> l.name().equals(layer)).map(l -> "Keras class " + l.className())
                    .findFirst().orElse("no Keras layer of that name");
        }
    }

    record Layer(String name, String className) {
    }

    private static Header readHeader(Path h5) {
        String file = h5.toString();
        byte[] signature = new byte[8];
        try (var in = Files.newInputStream(h5)) {
            if (in.readNBytes(signature, 0, 8) < 8 || !new String(signature, StandardCharsets.ISO_8859_1).equals(SIGNATURE)) {
                // HDF5 allows a user block before the superblock (at 512, 1024, ... bytes); Keras never writes one
                if (!hasLaterSignature(h5)) {
                    throw new IllegalArgumentException("Keras model file " + file + " is not an HDF5 file (no HDF5 signature)");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Keras model file " + file + " cannot be read: " + e.getMessage(), e);
        }
        String modelConfig;
        String kerasVersion;
        String backend;
        Map<String, Long> storedPerLayer = new LinkedHashMap<>();
        synchronized (Hdf5Archive.LOCK_OBJECT) { // HDF5 is not thread-safe; DL4J's reader holds the same lock
            H5File f;
            try {
                f = new H5File(file, H5F_ACC_RDONLY());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Keras model file " + file
                        + " cannot be opened as HDF5 (truncated or corrupt?): " + e.getMessage(), e);
            }
            try {
                if (!f.attrExists("model_config")) {
                    throw new IllegalArgumentException("Keras model file " + file
                            + " has no model_config attribute: not a full Keras model (a weights-only file from save_weights?)");
                }
                modelConfig = readString(file, f, "model_config");
                kerasVersion = f.attrExists("keras_version") ? readString(file, f, "keras_version") : null;
                backend = f.attrExists("backend") ? readString(file, f, "backend") : null;
                if (!f.nameExists("model_weights")) {
                    throw new IllegalArgumentException("Keras model file " + file + " has no model_weights group");
                }
                Group weights = f.openGroup("model_weights");
                try {
                    long n = weights.getNumObjs();
                    for (long i = 0; i < n; i++) {
                        String layer = weights.getObjnameByIdx(i).getString(StandardCharsets.UTF_8);
                        if (weights.childObjType(layer) == H5O_TYPE_GROUP) {
                            Group g = weights.openGroup(layer);
                            try {
                                storedPerLayer.put(layer, countWeights(g));
                            } finally {
                                g._close();
                            }
                        }
                    }
                } finally {
                    weights._close();
                }
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Keras model file " + file
                        + " cannot be read as a Keras model (truncated or corrupt?): " + e.getMessage(), e);
            } finally {
                f._close();
            }
        }
        JsonNode model;
        try {
            model = JSON.readTree(modelConfig);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Keras model file " + file + ": model_config is not JSON", e);
        }
        if (model == null || !model.isObject()) {
            throw new IllegalArgumentException("Keras model file " + file + ": model_config is not a JSON object");
        }
        String className = model.path("class_name").asText("");
        boolean sequential;
        switch (className) {
            case "Sequential" -> sequential = true;
            case "Functional", "Model" -> sequential = false;
            default -> throw new IllegalArgumentException("Keras model file " + file + ": model class '" + className
                    + "' is neither Sequential nor Functional/Model");
        }
        if (kerasVersion == null || kerasVersion.isEmpty() || !Character.isDigit(kerasVersion.charAt(0))) {
            throw new IllegalArgumentException("Keras model file " + file + ": keras_version attribute missing or unreadable ("
                    + kerasVersion + ")");
        }
        if (kerasVersion.charAt(0) != '2') {
            throw new IllegalArgumentException("Keras model file " + file + ": Keras " + kerasVersion
                    + " files are not supported (Keras 2 / tf.keras HDF5 only)");
        }
        List<Layer> layers = new ArrayList<>();
        for (JsonNode layer : model.path("config").path("layers")) {
            layers.add(new Layer(layer.path("config").path("name").asText(layer.path("name").asText("?")),
                    layer.path("class_name").asText("?")));
        }
        ObjectNode withVersion = ((ObjectNode) model).put("keras_version", kerasVersion);
        if (backend != null) {
            withVersion.put("backend", backend);
        }
        String json;
        try {
            json = JSON.writeValueAsString(withVersion);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new Header(className, sequential, json, List.copyOf(layers), Map.copyOf(storedPerLayer));
    }

    private static boolean hasLaterSignature(Path h5) throws IOException {
        long size = Files.size(h5);
        byte[] buf = new byte[8];
        try (var ch = Files.newByteChannel(h5)) {
            for (long at = 512; at + 8 <= size; at *= 2) {
                ch.position(at);
                var bb = java.nio.ByteBuffer.wrap(buf);
                while (bb.hasRemaining() && ch.read(bb) > 0) {
                    // fill
                }
                if (new String(buf, StandardCharsets.ISO_8859_1).equals(SIGNATURE)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A scalar string attribute, fixed-length (h5py's bytes, what Keras writes) or variable-length (h5py's str). */
    private static String readString(String file, Group g, String name) {
        List<String> value = readStrings(g, name);
        if (value.size() != 1) {
            throw new IllegalArgumentException("Keras model file " + file + ": attribute " + name + " is not a single string");
        }
        return value.get(0);
    }

    /** A 1-D (or scalar) string attribute of fixed- or variable-length strings, as h5py writes lists of bytes/str. */
    private static List<String> readStrings(Group g, String name) {
        Attribute a = g.openAttribute(name);
        DataType type = a.getDataType();
        DataSpace space = a.getSpace();
        try {
            if (type._getClass() != H5T_STRING) {
                return List.of(); // h5py writes [] as an empty float64 array
            }
            int count = (int) space.getSimpleExtentNpoints();
            List<String> out = new ArrayList<>(count);
            if (count == 0) {
                return out;
            }
            if (type.isVariableStr()) {
                try (PointerPointer<BytePointer> p = new PointerPointer<>(count)) {
                    a.read(type, p);
                    for (int i = 0; i < count; i++) {
                        BytePointer s = p.get(BytePointer.class, i);
                        out.add(s == null ? "" : s.getString(StandardCharsets.UTF_8));
                        org.bytedeco.hdf5.global.hdf5.H5free_memory(s);
                    }
                }
                return out;
            }
            int width = (int) type.getSize();
            try (BytePointer p = new BytePointer((long) width * count)) {
                a.read(type, p);
                byte[] bytes = new byte[width * count];
                p.get(bytes);
                for (int i = 0; i < count; i++) {
                    int end = i * width + width;
                    while (end > i * width && bytes[end - 1] == 0) {
                        end--;
                    }
                    out.add(new String(bytes, i * width, end - i * width, StandardCharsets.UTF_8));
                }
            }
            return out;
        } finally {
            space._close();
            type._close();
            a._close();
        }
    }

    /** Float values in all datasets below model_weights, the parameter count a complete import must have. */
    private static long countWeights(Group g) {
        long total = 0;
        long n = g.getNumObjs();
        for (long i = 0; i < n; i++) {
            String child = g.getObjnameByIdx(i).getString(StandardCharsets.UTF_8);
            int kind = g.childObjType(child);
            if (kind == H5O_TYPE_GROUP) {
                Group sub = g.openGroup(child);
                try {
                    total += countWeights(sub);
                } finally {
                    sub._close();
                }
            } else if (kind == H5O_TYPE_DATASET) {
                DataSet ds = g.openDataSet(child);
                DataSpace space = ds.getSpace();
                try {
                    total += space.getSimpleExtentNpoints();
                } finally {
                    space._close();
                    ds._close();
                }
            }
        }
        return total;
    }

    /** The DL4J failure as a message naming the file and the layer(s) DL4J's message points at, if any. */
    private static String describe(String file, Header header, Throwable e) {
        StringBuilder msg = new StringBuilder("Keras model file ").append(file).append(" cannot be imported into DL4J");
        String detail = messages(e);
        Set<String> culprits = new LinkedHashSet<>();
        for (Layer layer : header.layers()) { // layers DL4J names first, else the layers of a Keras class it names
            if (mentions(detail, layer.name())) {
                culprits.add("layer '" + layer.name() + "' (Keras class " + layer.className() + ")");
            }
        }
        for (Layer layer : culprits.isEmpty() ? header.layers() : List.<Layer>of()) {
            if (mentions(detail, layer.className())) {
                culprits.add("layer '" + layer.name() + "' (Keras class " + layer.className() + ")");
            }
        }
        if (!culprits.isEmpty()) {
            msg.append(": ").append(String.join(", ", culprits));
        }
        return msg.append(": ").append(detail).toString();
    }

    private static boolean mentions(String text, String word) {
        if (word == null || word.isEmpty() || word.equals("?")) {
            return false;
        }
        return java.util.regex.Pattern.compile("(?<![A-Za-z0-9_])" + java.util.regex.Pattern.quote(word) + "(?![A-Za-z0-9_])")
                .matcher(text).find();
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (!sb.isEmpty()) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString();
    }
}

package dev.kompakt.evaluator.net;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.H5Object;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5T_STR_NULLPAD;

/**
 * Writes Keras 2 / tf.keras HDF5 model files ({@code model.save("m.h5")}) the way Keras does through h5py:
 * <ul>
 *   <li>root attributes {@code keras_version}, {@code backend}, {@code model_config} (the {@code model.to_json()}
 *       text) and optionally {@code training_config}, each a scalar fixed-length, null-padded byte string (h5py's
 *       encoding of a Python {@code bytes} value);</li>
 *   <li>group {@code model_weights} with attributes {@code layer_names} (1-D fixed-length byte strings, every layer
 *       in {@code model.layers} order, weightless ones included), {@code backend} and {@code keras_version};</li>
 *   <li>per layer a group with attribute {@code weight_names} ({@code "dense_1/kernel:0"}, ... ; an empty float64
 *       array, as h5py writes {@code []}, for weightless layers) and one float32 dataset per weight at
 *       {@code model_weights/<layer>/<weight name>}, e.g. {@code model_weights/dense_1/dense_1/kernel:0}.</li>
 * </ul>
 * Arrays are row-major in Keras layouts: Dense kernel [in, out], Conv2D kernel [kh, kw, in, out], DepthwiseConv2D
 * kernel [kh, kw, in, multiplier], BatchNormalization gamma/beta/moving_mean/moving_variance [channels].
 */
public final class KerasH5Writer {
    public static final String KERAS_VERSION = "2.4.0";
    public static final String BACKEND = "tensorflow";

    /** One Keras weight variable: its full name ({@code "conv2d/kernel:0"}), shape and row-major values. */
    public record Weight(String name, long[] shape, float[] values) {
        public Weight {
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (n != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + n
                        + " values, got " + values.length);
            }
        }

        public long count() {
            return values.length;
        }
    }

    private KerasH5Writer() {
    }

    /** A weight named {@code <layer>/<variable>:0}, Keras's default variable naming. */
    public static Weight weight(String layer, String variable, float[] values, long... shape) {
        return new Weight(layer + "/" + variable + ":0", shape, values);
    }

    /**
     * @param modelConfig    {@code model.to_json()}; null leaves it out
     * @param trainingConfig the training config JSON (loss, optimizer_config, ...); null leaves it out
     * @param layers every layer of {@code model.layers} in order (InputLayer included for Functional models, as
     *               Keras does), each mapped to its weights (empty for weightless layers)
     */
    public static void write(Path file, String modelConfig, String trainingConfig, LinkedHashMap<String, List<Weight>> layers) {
        // HDF5's C++ objects must be closed in order; DL4J's reader shares this lock (the library is not thread-safe)
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            H5File h5 = new H5File(file.toString(), H5F_ACC_TRUNC());
            try {
                stringAttribute(h5, "keras_version", KERAS_VERSION);
                stringAttribute(h5, "backend", BACKEND);
                if (modelConfig != null) { // null: a weights-only file, as save_weights("w.h5") writes
                    stringAttribute(h5, "model_config", modelConfig);
                }
                if (trainingConfig != null) {
                    stringAttribute(h5, "training_config", trainingConfig);
                }
                Group weights = h5.createGroup("model_weights");
                try {
                    stringArrayAttribute(weights, "layer_names", List.copyOf(layers.keySet()));
                    stringAttribute(weights, "backend", BACKEND);
                    stringAttribute(weights, "keras_version", KERAS_VERSION);
                    for (Map.Entry<String, List<Weight>> layer : layers.entrySet()) {
                        writeLayer(weights, layer.getKey(), layer.getValue());
                    }
                } finally {
                    weights._close();
                }
            } finally {
                h5._close();
            }
        }
    }

    private static void writeLayer(Group weights, String layer, List<Weight> values) {
        Group g = weights.createGroup(layer);
        try {
            if (values.isEmpty()) {
                emptyFloatArrayAttribute(g, "weight_names");
                return;
            }
            stringArrayAttribute(g, "weight_names", values.stream().map(Weight::name).toList());
            for (Weight w : values) {
                dataset(g, w);
            }
        } finally {
            g._close();
        }
    }

    /** h5py's {@code group.create_dataset("conv2d/kernel:0", data=float32_array)}: intermediate groups included. */
    private static void dataset(Group layerGroup, Weight w) {
        String[] parts = w.name().split("/");
        Group[] chain = new Group[parts.length - 1];
        try {
            Group parent = layerGroup;
            for (int i = 0; i < chain.length; i++) {
                chain[i] = parent.nameExists(parts[i]) ? parent.openGroup(parts[i]) : parent.createGroup(parts[i]);
                parent = chain[i];
            }
            DataSpace space = new DataSpace(w.shape().length, w.shape());
            DataSet ds = parent.createDataSet(parts[parts.length - 1], new org.bytedeco.hdf5.DataType(PredType.IEEE_F32LE()), space);
            try (FloatPointer p = new FloatPointer(w.values())) {
                ds.write(p, new org.bytedeco.hdf5.DataType(PredType.NATIVE_FLOAT()));
            } finally {
                ds._close();
                space._close();
            }
        } finally {
            for (int i = chain.length - 1; i >= 0; i--) {
                if (chain[i] != null) {
                    chain[i]._close();
                }
            }
        }
    }

    private static void stringAttribute(H5Object where, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StrType type = new StrType(PredType.C_S1(), Math.max(1, bytes.length));
        type.setStrpad(H5T_STR_NULLPAD);
        DataSpace scalar = new DataSpace();
        Attribute a = where.createAttribute(name, type, scalar);
        try (BytePointer p = new BytePointer(Math.max(1, bytes.length))) {
            p.put(bytes);
            a.write(type, p);
        } finally {
            a._close();
            scalar._close();
            type._close();
        }
    }

    /** numpy {@code np.array([b"a", b"bc"])}: dtype S<max length>, null-padded. */
    private static void stringArrayAttribute(H5Object where, String name, List<String> values) {
        byte[][] bytes = values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        int width = Math.max(1, Arrays.stream(bytes).mapToInt(b -> b.length).max().orElse(1));
        byte[] packed = new byte[width * bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            System.arraycopy(bytes[i], 0, packed, i * width, bytes[i].length);
        }
        StrType type = new StrType(PredType.C_S1(), width);
        type.setStrpad(H5T_STR_NULLPAD);
        DataSpace space = new DataSpace(1, new long[]{bytes.length});
        Attribute a = where.createAttribute(name, type, space);
        try (BytePointer p = new BytePointer(Math.max(1, packed.length))) {
            p.put(packed);
            a.write(type, p);
        } finally {
            a._close();
            space._close();
            type._close();
        }
    }

    /** What h5py stores for {@code attrs["weight_names"] = []}: a float64 array of shape (0,). */
    private static void emptyFloatArrayAttribute(H5Object where, String name) {
        org.bytedeco.hdf5.DataType type = new org.bytedeco.hdf5.DataType(PredType.IEEE_F64LE());
        DataSpace space = new DataSpace(1, new long[]{0});
        Attribute a = where.createAttribute(name, type, space);
        try (DoublePointer p = new DoublePointer(1)) {
            a.write(new org.bytedeco.hdf5.DataType(PredType.NATIVE_DOUBLE()), p);
        } finally {
            a._close();
            space._close();
        }
    }
}

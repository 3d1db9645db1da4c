package dev.kompakt.evaluator.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled samples of one {@link DataShape}, read on demand by index, so an implementation need not hold
 * the data in heap. Features come at raw scale (pixels 0..255 as floats, table values as read) in CHW order;
 * {@link #batch} turns chosen samples into a normalised ND4J {@link DataSet}.
 */
public interface Dataset {
    /** A name for messages and provenance, e.g. {@code cifar10/train}. */
    String name();

    DataShape shape();

    /** The number of classes; every label is in {@code [0, classes)}. */
    int classes();

    /** The number of samples. */
    int size();

    /** The class of sample {@code i}. */
    int label(int i);

    /** Writes sample {@code i}'s {@code shape().features()} raw features, CHW, into {@code out} from {@code offset}. */
    void features(int i, float[] out, int offset);

    /**
     * The samples at {@code indices}, in that order: features {@code [n, c*h*w]} after {@code norm}, labels one-hot
     * {@code [n, classes]}.
     */
    default DataSet batch(int[] indices, Normalization norm) {
        DataShape shape = shape();
        if (norm.channels() != shape.channels()) {
            throw new IllegalArgumentException(name() + ": normalisation has " + norm.channels() + " channels but samples have "
                    + shape.channels());
        }
        int n = indices.length;
        int f = shape.features();
        int k = classes();
        float[] x = new float[Math.multiplyExact(n, f)];
        float[] y = new float[Math.multiplyExact(n, k)];
        for (int j = 0; j < n; j++) {
            features(indices[j], x, j * f);
            norm.apply(shape, x, j * f);
            y[j * k + label(indices[j])] = 1f;
        }
        return new DataSet(Nd4j.create(x, new long[] {n, f}, 'c'), Nd4j.create(y, new long[] {n, k}, 'c'));
    }

    /** The indices {@code 0 .. size()-1}. */
    default int[] allIndices() {
        int[] all = new int[size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }
}

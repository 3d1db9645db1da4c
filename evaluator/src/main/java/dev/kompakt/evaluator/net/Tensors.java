package dev.kompakt.evaluator.net;

import dev.kompakt.evaluator.data.ImageDataset;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Converts raw datasets to ND4J arrays: features scaled to [0, 1], labels one-hot. */
public final class Tensors {
    private Tensors() {
    }

    public static DataSet toDataSet(ImageDataset data) {
        int n = data.size();
        int f = data.features();
        float[] x = new float[n * f];
        byte[] px = data.pixels();
        for (int i = 0; i < x.length; i++) {
            x[i] = (px[i] & 0xff) / 255f;
        }
        float[] y = new float[n * data.classes()];
        for (int i = 0; i < n; i++) {
            y[i * data.classes() + data.label(i)] = 1f;
        }
        INDArray features = Nd4j.create(x, new long[] {n, f}, 'c');
        INDArray labels = Nd4j.create(y, new long[] {n, data.classes()}, 'c');
        return new DataSet(features, labels);
    }
}

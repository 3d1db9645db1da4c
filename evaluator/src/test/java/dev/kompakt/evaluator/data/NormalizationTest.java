package dev.kompakt.evaluator.data;

import dev.kompakt.evaluator.TestData;
import dev.kompakt.evaluator.net.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationTest {
    @TempDir
    Path dir;

    /** Today's in-heap grey images packed into a PackedDataset, sample by sample. */
    private PackedDataset pack(SampleSet images) throws IOException {
        List<String> names = java.util.stream.IntStream.range(0, images.classes()).mapToObj(Integer::toString).toList();
        DataShape shape = DataShape.image(1, images.rows(), images.cols());
        int f = images.features();
        try (PackedDataset.Writer w = PackedDataset.writer(dir.resolve("fm.kpk"), images.name(), shape, names,
                PackedDataset.SampleType.UINT8, images.size())) {
            for (int i = 0; i < images.size(); i++) {
                w.add(images.label(i), java.util.Arrays.copyOfRange(images.pixels(), i * f, (i + 1) * f));
            }
            return w.finish();
        }
    }

    @Test
    void noneIsBitIdenticalToTodaysScaling() throws IOException {
        SampleSet images = TestData.bundled().test();
        PackedDataset packed = pack(images);
        DataSet today = Tensors.toDataSet(images);
        DataSet batch = packed.batch(packed.allIndices(), Normalization.none(1));
        assertArrayEquals(today.getFeatures().data().asFloat(), batch.getFeatures().data().asFloat());
        assertArrayEquals(today.getFeatures().shape(), batch.getFeatures().shape());
        assertEquals(today.getLabels(), batch.getLabels());
        assertTrue(Normalization.none(3).isNone());
    }

    @Test
    void batchFollowsTheIndicesAndNormalisesPerChannel() throws IOException {
        DataShape shape = DataShape.image(2, 1, 2);
        PackedDataset d;
        try (PackedDataset.Writer w = PackedDataset.writer(dir.resolve("b.kpk"), "b", shape, List.of("a", "b", "c"),
                PackedDataset.SampleType.UINT8, 2)) {
            w.add(2, new byte[] {0, (byte) 255, 51, 102});
            w.add(0, new byte[] {(byte) 255, 0, 0, (byte) 255});
            d = w.finish();
        }
        Normalization n = new Normalization(new float[] {0.5f, 0.2f}, new float[] {0.5f, 0.4f});
        DataSet b = d.batch(new int[] {1, 0}, n);
        assertArrayEquals(new long[] {2, 4}, b.getFeatures().shape());
        float[] x = b.getFeatures().data().asFloat();
        assertArrayEquals(new float[] {1f, -1f, -0.5f, 2f, -1f, 1f, 0f, 0.5f}, x, 1e-6f);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, b.getLabels().data().asFloat());
        assertThrows(IllegalArgumentException.class, () -> d.batch(new int[] {0}, Normalization.none(3)));
    }

    @Test
    void fitComputesPerChannelMeanAndStdOfScaledPixels() throws IOException {
        DataShape shape = DataShape.image(2, 1, 2);
        PackedDataset d;
        try (PackedDataset.Writer w = PackedDataset.writer(dir.resolve("f.kpk"), "f", shape, List.of("a", "b"),
                PackedDataset.SampleType.UINT8, 3)) {
            w.add(0, new byte[] {0, (byte) 255, 7, 7});
            w.add(1, new byte[] {0, (byte) 255, 7, 7});
            w.add(1, new byte[] {(byte) 200, (byte) 200, (byte) 200, (byte) 200}); // not among the fitted indices
            d = w.finish();
        }
        Normalization n = Normalization.fit(d, new int[] {0, 1});
        assertArrayEquals(new float[] {0.5f, 7 / 255f}, n.mean(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 1f}, n.std(), 1e-6f); // the constant channel gets std 1
        assertFalse(n.isNone());
        DataSet b = d.batch(new int[] {0}, n);
        assertArrayEquals(new float[] {-1f, 1f, 0f, 0f}, b.getFeatures().data().asFloat(), 1e-6f);
    }

    @Test
    void tabularValuesAreNotScaledBy255() throws IOException {
        PackedDataset d;
        try (PackedDataset.Writer w = PackedDataset.writer(dir.resolve("t.kpk"), "t", DataShape.tabular(2), List.of("a", "b"),
                PackedDataset.SampleType.FLOAT32, 2)) {
            w.add(0, new float[] {10f, -3f});
            w.add(1, new float[] {30f, -3f});
            d = w.finish();
        }
        Normalization n = Normalization.fit(d, d.allIndices());
        assertArrayEquals(new float[] {20f, -3f}, n.mean(), 1e-6f);
        assertArrayEquals(new float[] {10f, 1f}, n.std(), 1e-6f);
        assertArrayEquals(new float[] {-1f, 0f, 1f, 0f}, d.batch(new int[] {0, 1}, n).getFeatures().data().asFloat(), 1e-6f);
        assertArrayEquals(new float[] {10f, -3f}, d.batch(new int[] {0}, Normalization.none(2)).getFeatures().data().asFloat());
    }

    @Test
    void invalidValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0}, new float[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {Float.NaN}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0}, new float[] {Float.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0, 0}, new float[] {1}));
        float[] mean = {0.25f};
        Normalization n = new Normalization(mean, new float[] {2f});
        mean[0] = 9f;
        assertEquals(0.25f, n.mean()[0]);
        assertEquals(n, new Normalization(new float[] {0.25f}, new float[] {2f}));
        assertEquals("mean [0.2500] std [2.0000]", n.describe());
    }
}

package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.IntUnaryOperator;

import static dev.kompakt.evaluator.data.format.DataAssert.assertEmpty;
import static dev.kompakt.evaluator.data.format.DataAssert.assertFailsNaming;
import static dev.kompakt.evaluator.data.format.DataAssert.features;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CifarFormatTest {
    @TempDir
    Path dir;

    /** Value of CHW position p of record r in a batch with this seed. */
    private static int pixel(int seed, int r, int p) {
        return (seed * 13 + r * 7 + p * 3 + p / 1024 * 50) & 0xff;
    }

    /** A batch of n records; labels from {@code label} (coarse then fine for CIFAR-100). */
    private static void batch(Path file, int seed, int n, IntUnaryOperator... label) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int r = 0; r < n; r++) {
            for (IntUnaryOperator l : label) {
                out.write(l.applyAsInt(r));
            }
            for (int p = 0; p < 3072; p++) {
                out.write(pixel(seed, r, p));
            }
        }
        Files.createDirectories(file.getParent());
        Files.write(file, out.toByteArray());
    }

    private Path cifar10() throws IOException {
        Path in = dir.resolve("c10");
        for (int k = 1; k <= 5; k++) {
            int batch = k;
            batch(in.resolve("data_batch_" + k + ".bin"), k, 2, r -> (batch * 2 + r) % 10);
        }
        batch(in.resolve("test_batch.bin"), 9, 3, r -> 9 - r);
        return in;
    }

    private Path cifar100() throws IOException {
        Path in = dir.resolve("c100");
        batch(in.resolve("train.bin"), 1, 4, r -> r % 20, r -> 50 + r);
        batch(in.resolve("test.bin"), 2, 2, r -> 19, r -> 99 - r);
        return in;
    }

    @Test
    void cifar10BatchesAreReadInOrderChannelFirst() throws IOException {
        TrainTest t = CifarFormat.cifar10().read(cifar10(), ReadOptions.defaults(), dir.resolve("cache"));
        PackedDataset train = t.train();
        assertEquals(DataShape.image(3, 32, 32), train.shape());
        assertEquals(10, train.classes());
        assertEquals(10, train.size());
        assertEquals(3, t.test().size());
        assertEquals((3 * 2 + 1) % 10, train.label(5)); // batch 3, record 1
        float[] x = features(train, 5);
        for (int p : new int[] {0, 1, 1023, 1024, 2048 + 32 * 5 + 7, 3071}) {
            assertEquals(pixel(3, 1, p), x[p], 0f, "position " + p);
        }
        assertEquals(7, t.test().label(2));
        assertEquals(pixel(9, 2, 2000), features(t.test(), 2)[2000], 0f);
    }

    @Test
    void cifar100UsesFineLabelsUnlessCoarseAreAsked() throws IOException {
        Path in = cifar100();
        TrainTest fine = CifarFormat.cifar100().read(in, ReadOptions.defaults(), dir.resolve("cache"));
        assertEquals(100, fine.train().classes());
        assertEquals(4, fine.train().size());
        assertEquals(52, fine.train().label(2));
        assertEquals(98, fine.test().label(1));
        assertEquals(pixel(1, 3, 3000), features(fine.train(), 3)[3000], 0f);
        TrainTest coarse = CifarFormat.cifar100().read(in, ReadOptions.defaults().withCoarseLabels(true), dir.resolve("cache"));
        assertEquals(20, coarse.train().classes());
        assertEquals(3, coarse.train().label(3));
        assertEquals(19, coarse.test().label(0));
        assertEquals(pixel(1, 3, 3000), features(coarse.train(), 3)[3000], 0f);
    }

    @Test
    void truncatedBatchIsNamedWithItsSize() throws IOException {
        Path in = cifar10();
        Path third = in.resolve("data_batch_3.bin");
        Files.write(third, new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        assertFailsNaming(third, "truncated batch: 6151 bytes is not a multiple of the record size 3073",
                () -> CifarFormat.cifar10().read(in, ReadOptions.defaults(), dir.resolve("cache")));
        Path c100 = cifar100();
        Files.write(c100.resolve("test.bin"), new byte[] {1}, StandardOpenOption.APPEND);
        assertFailsNaming(c100.resolve("test.bin"), "truncated batch: 6149 bytes",
                () -> CifarFormat.cifar100().read(c100, ReadOptions.defaults(), dir.resolve("cache")));
        assertEmpty(dir.resolve("cache"));
    }

    @Test
    void labelOutsideTheClassRangeIsNamed() throws IOException {
        Path in = cifar10();
        batch(in.resolve("test_batch.bin"), 9, 3, r -> r == 2 ? 12 : r);
        Path cache = dir.resolve("cache");
        assertFailsNaming(in.resolve("test_batch.bin"), "label 12 of record 2 is outside the class range [0, 10)",
                () -> CifarFormat.cifar10().read(in, ReadOptions.defaults(), cache));
        assertEmpty(cache);
    }

    @Test
    void oneClassOnlyAndMissingBatchesAreNamed() throws IOException {
        Path in = cifar100();
        batch(in.resolve("train.bin"), 1, 4, r -> 0, r -> 5);
        assertFailsNaming(in.resolve("train.bin"), "one class only",
                () -> CifarFormat.cifar100().read(in, ReadOptions.defaults(), dir.resolve("cache")));
        Path c10 = cifar10();
        Files.delete(c10.resolve("data_batch_4.bin"));
        assertFailsNaming(c10.resolve("data_batch_4.bin"), "batch file not found",
                () -> CifarFormat.cifar10().read(c10, ReadOptions.defaults(), dir.resolve("cache")));
        assertEmpty(dir.resolve("cache"));
    }
}

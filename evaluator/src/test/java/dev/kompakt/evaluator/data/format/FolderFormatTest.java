package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kompakt.evaluator.data.format.DataAssert.assertEmpty;
import static dev.kompakt.evaluator.data.format.DataAssert.assertFailsNaming;
import static dev.kompakt.evaluator.data.format.DataAssert.features;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FolderFormatTest {
    @TempDir
    Path dir;

    private final FolderFormat folder = new FolderFormat();

    /** A solid-colour image of w x h. */
    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** An image whose pixel (x, y) has red x*20, green y*30, blue 7. */
    private static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 20) << 16 | (y * 30) << 8 | 7);
            }
        }
        return img;
    }

    private static void save(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String type = file.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? "png" : "jpg";
        assertTrue(ImageIO.write(img, type, file.toFile()), "wrote " + file);
    }

    /** train/{bird,cat,dog} and test/{bird,cat,dog} of PNG and JPEG files of mixed sizes. */
    private Path tree() throws IOException {
        Path root = dir.resolve("images");
        save(gradient(6, 5), root.resolve("train/cat/a.png"));
        save(solid(17, 9, 0x336699), root.resolve("train/cat/b.PNG"));
        save(solid(40, 30, 0xC83214), root.resolve("train/dog/x.jpg"));
        save(solid(5, 12, 0x10F020), root.resolve("train/dog/y.png"));
        save(solid(9, 9, 0xFFFFFF), root.resolve("train/bird/z.jpeg"));
        Files.writeString(root.resolve("train/bird/notes.txt"), "not an image");
        save(solid(20, 20, 0x000000), root.resolve("test/bird/t.png"));
        save(solid(7, 3, 0x808080), root.resolve("test/cat/t.jpg"));
        save(solid(3, 7, 0x0000FF), root.resolve("test/dog/t.png"));
        return root;
    }

    @Test
    void rgbImagesOfMixedSizesAreResizedAndStoredChannelFirst() throws IOException {
        TrainTest t = folder.read(tree(), ReadOptions.defaults().withImageShape(DataShape.image(3, 5, 6)), dir.resolve("cache"));
        PackedDataset train = t.train();
        assertEquals(List.of("bird", "cat", "dog"), train.classNames());
        assertEquals(DataShape.image(3, 5, 6), train.shape());
        assertEquals(5, train.size());
        assertEquals(3, t.test().size());
        assertEquals(List.of(0, 1, 1, 2, 2), List.of(train.label(0), train.label(1), train.label(2), train.label(3), train.label(4)));
        float[] a = features(train, 1); // cat/a.png, already 6 x 5: exact
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                assertEquals(x * 20, a[y * 6 + x], 0f);
                assertEquals(y * 30, a[30 + y * 6 + x], 0f);
                assertEquals(7, a[60 + y * 6 + x], 0f);
            }
        }
        float[] b = features(train, 2); // cat/b.PNG, 17 x 9 solid: every pixel keeps the colour
        for (int p = 0; p < 30; p++) {
            assertEquals(0x33, b[p], 0f);
            assertEquals(0x66, b[30 + p], 0f);
            assertEquals(0x99, b[60 + p], 0f);
        }
        float[] jpeg = features(train, 3); // dog/x.jpg, lossy
        assertEquals(0xC8, jpeg[0], 6f);
        assertEquals(0x32, jpeg[30], 6f);
        assertEquals(0x14, jpeg[60 + 29], 6f);
        assertEquals(255f, features(t.test(), 2)[60], 0f); // test/dog/t.png is blue
    }

    @Test
    void greyImagesUseTheLumaWeights() throws IOException {
        TrainTest t = folder.read(tree(), ReadOptions.defaults().withImageShape(DataShape.image(1, 4, 4)), dir.resolve("cache"));
        assertEquals(DataShape.image(1, 4, 4), t.train().shape());
        float[] y = features(t.train(), 4); // dog/y.png, 0x10F020
        assertEquals(Math.round(0.299 * 0x10 + 0.587 * 0xF0 + 0.114 * 0x20), y[0], 0f);
        assertEquals(y[0], y[15], 0f);
    }

    @Test
    void greyPngsKeepTheirValuesWithoutGammaChanges() throws IOException {
        Path root = tree();
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 1, 0, 40);
        save(grey, root.resolve("train/bird/grey.png"));
        TrainTest t = folder.read(root, ReadOptions.defaults().withImageShape(DataShape.image(1, 2, 3)), dir.resolve("cache"));
        assertEquals(0, t.train().label(0));
        float[] x = features(t.train(), 0); // bird/grey.png sorts before bird/z.jpeg
        assertArrayEquals(new float[] {128, 0, 0, 0, 40, 0}, x);
        TrainTest rgb = folder.read(root, ReadOptions.defaults().withImageShape(DataShape.image(3, 2, 3)), dir.resolve("cache"));
        float[] c = features(rgb.train(), 0);
        assertEquals(128f, c[0], 0f);
        assertEquals(128f, c[6], 0f);
        assertEquals(40f, c[12 + 4], 0f);
    }

    @Test
    void aCorruptImageIsNamed() throws IOException {
        Path root = tree();
        Path broken = root.resolve("test/cat/broken.png");
        Files.write(broken, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 1, 2, 3});
        Path cache = dir.resolve("cache");
        assertFailsNaming(broken, "unreadable image",
                () -> folder.read(root, ReadOptions.defaults().withImageShape(DataShape.image(3, 4, 4)), cache));
        assertEmpty(cache);
        Files.writeString(broken, "plain text, no image");
        assertFailsNaming(broken, "unreadable image",
                () -> folder.read(root, ReadOptions.defaults().withImageShape(DataShape.image(3, 4, 4)), cache));
        assertEmpty(cache);
    }

    @Test
    void classFoldersMustAgreeAndBeMoreThanOne() throws IOException {
        Path root = tree();
        ReadOptions options = ReadOptions.defaults().withImageShape(DataShape.image(3, 4, 4));
        save(solid(4, 4, 0), root.resolve("test/fish/f.png"));
        assertFailsNaming(root.resolve("test"), "test classes [bird, cat, dog, fish] differ from train classes [bird, cat, dog]",
                () -> folder.read(root, options, dir.resolve("cache")));
        Path one = dir.resolve("one");
        save(solid(4, 4, 0), one.resolve("train/only/a.png"));
        save(solid(4, 4, 0), one.resolve("test/only/a.png"));
        assertFailsNaming(one.resolve("train"), "one class only", () -> folder.read(one, options, dir.resolve("cache")));
        assertFailsNaming(root, "needs an image size", () -> folder.read(root, ReadOptions.defaults(), dir.resolve("cache")));
        assertEmpty(dir.resolve("cache"));
    }
}

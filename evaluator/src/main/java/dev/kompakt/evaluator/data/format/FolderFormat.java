package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code folder}: images in one sub-folder per class, {@code root/train/<class>/*.png|jpg|jpeg} and
 * {@code root/test/<class>/...}. The classes are the sorted sub-folder names of {@code train}; {@code test} must have the
 * same ones. Each image is decoded with ImageIO, resized bilinearly to the {@link ReadOptions#imageShape() requested}
 * height x width, and kept as RGB (3 channels) or grey (1 channel, {@code 0.299 R + 0.587 G + 0.114 B}); transparent
 * pixels are drawn on black. Files with other extensions and hidden entries are ignored.
 */
public final class FolderFormat implements DatasetFormat {
    @Override
    public String name() {
        return "folder";
    }

    @Override
    public TrainTest read(Path root, ReadOptions options, Path cacheDir) throws IOException {
        DataShape shape = options.imageShape();
        if (shape == null || shape.tabular() || (shape.channels() != 1 && shape.channels() != 3)) {
            throw new DataException(root, "the folder format needs an image size with 1 (grey) or 3 (RGB) channels, got "
                    + (shape == null ? "none" : shape));
        }
        Path trainDir = root.resolve("train");
        Path testDir = root.resolve("test");
        List<String> classes = classes(trainDir);
        if (classes.size() < 2) {
            throw new DataException(trainDir, "one class only " + classes + ": classification needs at least two class folders");
        }
        List<String> testClasses = classes(testDir);
        if (!testClasses.equals(classes)) {
            throw new DataException(testDir, "test classes " + testClasses + " differ from train classes " + classes);
        }
        if (options.classes() > 0 && options.classes() != classes.size()) {
            throw new DataException(trainDir, classes.size() + " class folders but the spec says " + options.classes() + " classes");
        }
        List<List<Path>> train = images(trainDir, classes);
        List<List<Path>> test = images(testDir, classes);
        List<Path> inputs = new ArrayList<>();
        train.forEach(inputs::addAll);
        test.forEach(inputs::addAll);
        String key = "shape=" + shape.channels() + "x" + shape.height() + "x" + shape.width();
        return PackedCache.load(cacheDir, name(), key, root, inputs, (trainFile, testFile) -> new TrainTest(
                pack(train, shape, classes, trainFile, name() + "/train"),
                pack(test, shape, classes, testFile, name() + "/test")));
    }

    private static List<String> classes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, "image folder not found (expected one sub-folder per class)");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static List<List<Path>> images(Path dir, List<String> classes) throws IOException {
        List<List<Path>> images = new ArrayList<>();
        for (String c : classes) {
            Path classDir = dir.resolve(c);
            List<Path> files;
            try (Stream<Path> entries = Files.list(classDir)) {
                files = entries.filter(FolderFormat::isImage).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new DataException(classDir, "class folder holds no PNG or JPEG images");
            }
            images.add(files);
        }
        return images;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    private static PackedDataset pack(List<List<Path>> images, DataShape shape, List<String> classes, Path target, String name)
            throws IOException {
        int count = images.stream().mapToInt(List::size).sum();
        byte[] sample = new byte[shape.features()];
        try (PackedDataset.Writer writer = PackedDataset.writer(target, name, shape, classes, PackedDataset.SampleType.UINT8, count)) {
            for (int c = 0; c < images.size(); c++) {
                for (Path file : images.get(c)) {
                    convert(decode(file), shape, sample);
                    writer.add(c, sample);
                }
            }
            return writer.finish();
        }
    }

    private static BufferedImage decode(Path file) throws IOException {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataException(file, "unreadable image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new DataException(file, "unreadable image: no PNG or JPEG decoder recognises it");
        }
        return image;
    }

    /**
     * Writes {@code image}'s pixels at the shape's size, CHW, into {@code out}: the image is first drawn unscaled on
     * an RGB canvas (grey and palette images become RGB without gamma changes, transparency is drawn on black), then
     * resized bilinearly with pixel centres aligned, so an image of the requested size is copied exactly and a
     * single-colour image stays that colour.
     */
    static void convert(BufferedImage image, DataShape shape, byte[] out) {
        int sw = image.getWidth();
        int sh = image.getHeight();
        BufferedImage canvas = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        int[] src = canvas.getRGB(0, 0, sw, sh, null, 0, sw);
        int h = shape.height();
        int w = shape.width();
        int pixels = h * w;
        int[] rgb = new int[3];
        for (int y = 0; y < h; y++) {
            double sy = Math.min(Math.max((y + 0.5) * sh / h - 0.5, 0), sh - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, sh - 1);
            double fy = sy - y0;
            for (int x = 0; x < w; x++) {
                double sx = Math.min(Math.max((x + 0.5) * sw / w - 0.5, 0), sw - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, sw - 1);
                double fx = sx - x0;
                for (int k = 0; k < 3; k++) {
                    int shift = 16 - 8 * k;
                    double top = (1 - fx) * (src[y0 * sw + x0] >> shift & 0xff) + fx * (src[y0 * sw + x1] >> shift & 0xff);
                    double bottom = (1 - fx) * (src[y1 * sw + x0] >> shift & 0xff) + fx * (src[y1 * sw + x1] >> shift & 0xff);
                    rgb[k] = (int) Math.round((1 - fy) * top + fy * bottom);
                }
                int p = y * w + x;
                if (shape.channels() == 3) {
                    out[p] = (byte) rgb[0];
                    out[pixels + p] = (byte) rgb[1];
                    out[2 * pixels + p] = (byte) rgb[2];
                } else {
                    out[p] = (byte) Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
                }
            }
        }
    }
}

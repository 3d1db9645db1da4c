package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
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
 * same ones. Each image is decoded with ImageIO, drawn (bilinear) at the {@link ReadOptions#imageShape() requested}
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

    /** Draws {@code image} at the shape's size and writes its pixels, CHW, into {@code out}. */
    static void convert(BufferedImage image, DataShape shape, byte[] out) {
        int h = shape.height();
        int w = shape.width();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        int[] argb = rgb.getRGB(0, 0, w, h, null, 0, w);
        int pixels = h * w;
        for (int p = 0; p < pixels; p++) {
            int r = (argb[p] >> 16) & 0xff;
            int gr = (argb[p] >> 8) & 0xff;
            int b = argb[p] & 0xff;
            if (shape.channels() == 3) {
                out[p] = (byte) r;
                out[pixels + p] = (byte) gr;
                out[2 * pixels + p] = (byte) b;
            } else {
                out[p] = (byte) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
            }
        }
    }
}

package dev.kompakt.experiments.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small datasets in every format Kompakt reads, generated with a learnable signal: an image of class k has a bright
 * block at the k-th cell of a grid (and a class-dependent colour), on noise; a table row of class k has its k-th
 * feature raised. Written exactly as the formats specify, so the readers see what users' files hold.
 */
public final class GeneratedData {
    private GeneratedData() {
    }

    /** One CHW image of class {@code k} of {@code classes}, values 0..255. */
    public static int[] image(int k, int classes, int c, int h, int w, Random random) {
        int grid = (int) Math.ceil(Math.sqrt(classes));
        int bh = Math.max(1, h / grid);
        int bw = Math.max(1, w / grid);
        int r0 = (k / grid) * bh;
        int c0 = (k % grid) * bw;
        int[] px = new int[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean block = y >= r0 && y < r0 + bh && x >= c0 && x < c0 + bw;
                    int v = 30 + random.nextInt(40) + (block ? 150 : 0) + (c > 1 && ch == k % c ? 20 : 0);
                    px[(ch * h + y) * w + x] = Math.min(255, v);
                }
            }
        }
        return px;
    }

    /** IDX files (train/t10k, images IDX3 when c is 1, else IDX4 n x h x w x c) in {@code dir}. */
    public static void idx(Path dir, int classes, int c, int h, int w, int train, int test, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? train : test;
            ByteArrayOutputStream images = new ByteArrayOutputStream();
            ByteArrayOutputStream labels = new ByteArrayOutputStream();
            DataOutputStream im = new DataOutputStream(images);
            DataOutputStream lb = new DataOutputStream(labels);
            im.writeInt(c == 1 ? 0x803 : 0x804);
            im.writeInt(n);
            im.writeInt(h);
            im.writeInt(w);
            if (c > 1) {
                im.writeInt(c);
            }
            lb.writeInt(0x801);
            lb.writeInt(n);
            for (int i = 0; i < n; i++) {
                int k = i % classes;
                int[] px = image(k, classes, c, h, w, random);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        for (int ch = 0; ch < c; ch++) {
                            im.writeByte(px[(ch * h + y) * w + x]); // HWC
                        }
                    }
                }
                lb.writeByte(k);
            }
            Files.write(dir.resolve(split + "-images-idx" + (c == 1 ? 3 : 4) + "-ubyte"), images.toByteArray());
            Files.write(dir.resolve(split + "-labels-idx1-ubyte"), labels.toByteArray());
        }
    }

    /** CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin) with {@code perBatch} records each. */
    public static void cifar10(Path dir, int perBatch, int test, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), cifarRecords(perBatch, 10, false, random));
        }
        Files.write(dir.resolve("test_batch.bin"), cifarRecords(test, 10, false, random));
    }

    /** CIFAR-100 binary files (train.bin, test.bin): coarse label (fine / 5), fine label, 3072 pixels. */
    public static void cifar100(Path dir, int train, int test, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        Files.write(dir.resolve("train.bin"), cifarRecords(train, 100, true, random));
        Files.write(dir.resolve("test.bin"), cifarRecords(test, 100, true, random));
    }

    private static byte[] cifarRecords(int n, int classes, boolean coarse, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            int k = i % classes;
            if (coarse) {
                out.write(k / 5);
            }
            out.write(k);
            for (int v : image(k, classes, 3, 32, 32, random)) {
                out.write(v);
            }
        }
        return out.toByteArray();
    }

    /**
     * An image folder (root/train/&lt;class&gt;/, root/test/&lt;class&gt;/) of RGB images of mixed sizes, PNG and JPEG
     * alternating, {@code perClass} training and {@code testPerClass} test images per class.
     */
    public static void folder(Path root, String[] classes, int perClass, int testPerClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? perClass : testPerClass;
            for (int k = 0; k < classes.length; k++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(classes[k]));
                for (int i = 0; i < n; i++) {
                    int size = 20 + 4 * (i % 4); // 20, 24, 28, 32
                    int[] px = image(k, classes.length, 3, size, size, random);
                    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            int r = px[(0 * size + y) * size + x];
                            int g = px[(size + y) * size + x];
                            int b = px[(2 * size + y) * size + x];
                            img.setRGB(x, y, (r << 16) | (g << 8) | b);
                        }
                    }
                    boolean png = i % 2 == 0;
                    ImageIO.write(img, png ? "png" : "jpg", dir.resolve(i + (png ? ".png" : ".jpg")).toFile());
                }
            }
        }
    }

    /** train.csv and test.csv: {@code features} numeric columns and a {@code species} column of class names. */
    public static void csv(Path dir, String[] classes, int features, int train, int test, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? train : test;
            StringBuilder sb = new StringBuilder();
            for (int f = 0; f < features; f++) {
                sb.append("f").append(f).append(',');
            }
            sb.append("species\n");
            for (int i = 0; i < n; i++) {
                int k = i % classes.length;
                for (int f = 0; f < features; f++) {
                    double v = random.nextGaussian() * 0.5 + (f % classes.length == k ? 3.0 : 0.0) + 10.0;
                    sb.append(String.format(java.util.Locale.ROOT, "%.4f", v)).append(',');
                }
                sb.append(classes[k]).append('\n');
            }
            Files.writeString(dir.resolve(split + ".csv"), sb.toString(), StandardCharsets.UTF_8);
        }
    }
}

package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.SearchRunner;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.TrialState;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A search on image-folder data larger than the JVM's heap: generates (once) {@code gigabytes} of incompressible RGB PNG
 * images (512x512, noise with a class-dependent block) in {@code root/train/<class>/} and {@code root/test/<class>/}, then
 * runs a 4-trial search on them resized to 32x32, in this JVM, and prints the data size, the heap limit, the wall time
 * and the peak resident memory. The reader streams one image at a time into a packed cache; only the chosen samples are
 * held in memory.
 */
public final class LargeDataBenchmark {
    private static final int SIZE = 512;
    private static final String[] CLASSES = {"a", "b", "c", "d"};

    private LargeDataBenchmark() {
    }

    public static void run(Path root, double gigabytes, PrintStream out) throws IOException {
        Instant t0 = Instant.now();
        long bytes = generate(root, (long) (gigabytes * (1L << 30)), out);
        Duration generation = Duration.between(t0, Instant.now());
        long images;
        try (Stream<Path> s = Files.walk(root)) {
            images = s.filter(p -> p.toString().endsWith(".png")).count();
        }
        Path work = Files.createTempDirectory("kompakt-large-data");
        Path specFile = work.resolve("large.yaml");
        String text = """
                schemaVersion: 1
                name: large-data
                seed: 3
                data:
                  format: folder
                  path: %s
                  image: { height: 32, width: 32, channels: 3 }
                  trainSamples: 2000
                  testSamples: 400
                  normalization: fit
                baseline:
                  architecture: cnn
                  epochs: 2
                  batchSize: 64
                strategies:
                  pruning: { minSparsity: 0.0, maxSparsity: 0.7 }
                  quantization: { weightBits: [32, 8] }
                budget:
                  trials: 4
                  fineTuneEpochs: 1
                  studentEpochs: 1
                  trainSamples: 1000
                  batchSize: 64
                search:
                  sampler: random
                  objectives:
                    - { metric: accuracy, direction: maximize }
                    - { metric: size_bytes, direction: minimize }
                devices: [rpi4]
                execution:
                  maxInFlight: 2
                  latencyWarmup: 5
                  latencyRepeats: 20
                """.formatted(root.toAbsolutePath());
        Files.writeString(specFile, text);
        ExperimentSpec spec = SpecLoader.load(specFile, ProfileRegistry.builtIn().all().keySet());
        Instant t1 = Instant.now();
        SearchRunner.Result r = SearchRunner.run(spec, text, new SearchRunner.Options(null, work.resolve("run"), null, null, null), out);
        Duration search = Duration.between(t1, Instant.now());
        long complete = r.summary().trials().stream().filter(t -> t.state() == TrialState.COMPLETE).count();
        long heap = Runtime.getRuntime().maxMemory();
        out.println();
        out.println("| measurement | value |");
        out.println("|---|---:|");
        out.printf(Locale.ROOT, "| data on disk (PNG files, %d images of %dx%d RGB) | %.2f GiB |%n", images, SIZE, SIZE, bytes / (double) (1L << 30));
        out.printf(Locale.ROOT, "| JVM max heap (-Xmx) | %.2f GiB |%n", heap / (double) (1L << 30));
        out.printf(Locale.ROOT, "| generation (skipped when present) | %d s |%n", generation.toSeconds());
        out.printf(Locale.ROOT, "| search wall time (packing the data included) | %d s |%n", search.toSeconds());
        out.printf(Locale.ROOT, "| trials COMPLETE | %d of %d |%n", complete, r.summary().trials().size());
        out.printf(Locale.ROOT, "| peak resident memory (VmHWM) | %s |%n", peakRss());
        out.printf(Locale.ROOT, "| run directory | %s |%n", r.runDir());
    }

    /** Writes images until the folder holds {@code target} bytes (none when it already does); returns the bytes held. */
    static long generate(Path root, long target, PrintStream out) throws IOException {
        long held = sizeOf(root);
        if (held >= target) {
            out.printf(Locale.ROOT, "data: %s already holds %.2f GiB%n", root, held / (double) (1L << 30));
            return held;
        }
        Random random = new Random(17);
        int i = 0;
        while (held < target) {
            int k = i % CLASSES.length;
            String split = (i / CLASSES.length) % 10 == 9 ? "test" : "train"; // every class in both splits
            Path dir = Files.createDirectories(root.resolve(split).resolve(CLASSES[k]));
            Path file = dir.resolve(String.format(Locale.ROOT, "%06d.png", i));
            if (!Files.exists(file)) {
                ImageIO.write(image(k, random), "png", file.toFile());
                held += Files.size(file);
            }
            i++;
            if (i % 500 == 0) {
                out.printf(Locale.ROOT, "data: %d images, %.2f GiB%n", i, held / (double) (1L << 30));
            }
        }
        return held;
    }

    private static BufferedImage image(int k, Random random) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        int quarter = SIZE / 2;
        int x0 = (k % 2) * quarter;
        int y0 = (k / 2) * quarter;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean block = x >= x0 && x < x0 + quarter && y >= y0 && y < y0 + quarter;
                int base = block ? 120 : 0;
                int r = base + random.nextInt(136);
                int g = base + random.nextInt(136);
                int b = base + random.nextInt(136);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static long sizeOf(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** The process's peak resident set size from /proc/self/status, or "n/a". */
    static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.2f GiB", kb / (double) (1L << 20));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "n/a (" + e.getMessage() + ")";
        }
        return "n/a";
    }
}

package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.PackedDataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a format's packed train and test files live in the cache directory: named by the format and a hash of the
 * input files (relative names, sizes, modification times) and the options, so unchanged input is packed once. When
 * building fails, neither file is left behind.
 */
final class PackedCache {
    /** Bumped when a reader's output changes for the same input. */
    static final int READERS_VERSION = 1;

    interface Builder {
        TrainTest build(Path trainFile, Path testFile) throws IOException;
    }

    private PackedCache() {
    }

    static TrainTest load(Path cacheDir, String format, String options, Path root, List<Path> inputs, Builder builder)
            throws IOException {
        String key = key(format, options, root, inputs);
        Files.createDirectories(cacheDir);
        Path train = cacheDir.resolve(format + "-" + key + "-train.kpk");
        Path test = cacheDir.resolve(format + "-" + key + "-test.kpk");
        if (Files.isRegularFile(train) && Files.isRegularFile(test)) {
            try {
                return new TrainTest(PackedDataset.open(train), PackedDataset.open(test));
            } catch (IOException e) {
                // a damaged cache entry is rebuilt below
            }
        }
        try {
            return builder.build(train, test);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(train);
            Files.deleteIfExists(test);
            throw e;
        }
    }

    static String key(String format, String options, Path root, List<Path> inputs) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            update(md, "kompakt-packed " + READERS_VERSION + " " + format + " " + options);
            for (Path p : inputs) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                update(md, root.relativize(p) + " " + a.size() + " " + a.lastModifiedTime().toMillis());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }
}

package dev.kompakt.evaluator.net;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Random horizontal flips and shifts of a batch of images, drawn anew for every sample of every batch: the standard
 * augmentation of small-image classifiers (He et al. 2016 on CIFAR-10: 4-pixel shifts and flips). Features are flat
 * {@code [n, c*h*w]} in channel, row, column order, as every Kompakt network takes them. A shift moves the image by up to
 * {@code shift} pixels in each direction; the pixels it uncovers repeat the nearest edge pixel (the background, for
 * centred objects on a plain ground such as Fashion-MNIST's), so no value outside the image's own range appears after
 * normalisation. Deterministic for a seed.
 */
public final class ImageAugmentation implements UnaryOperator<INDArray> {
    private final int channels;
    private final int height;
    private final int width;
    private final boolean flip;
    private final int shift;
    private final Random random;

    public ImageAugmentation(int channels, int height, int width, boolean flip, int shift, long seed) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (shift < 0 || 2 * shift >= Math.min(height, width)) {
            throw new IllegalArgumentException("shift must be in [0, " + ((Math.min(height, width) - 1) / 2) + "] for " + height + "x" + width
                    + " images, got " + shift);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.flip = flip;
        this.shift = shift;
        this.random = new Random(seed);
    }

    /** A new batch of the same shape and type: each sample flipped (probability 1/2, when flips are on) and shifted. */
    @Override
    public INDArray apply(INDArray features) {
        int n = (int) features.size(0);
        int size = channels * height * width;
        if (features.rank() != 2 || features.size(1) != size) {
            throw new IllegalArgumentException("expected features [n, " + size + "] (" + channels + "x" + height + "x" + width + "), got "
                    + java.util.Arrays.toString(features.shape()));
        }
        float[] in = features.dup('c').data().asFloat();
        float[] out = new float[in.length];
        for (int s = 0; s < n; s++) {
            boolean mirror = flip && random.nextBoolean();
            int dy = shift == 0 ? 0 : random.nextInt(2 * shift + 1) - shift;
            int dx = shift == 0 ? 0 : random.nextInt(2 * shift + 1) - shift;
            int base = s * size;
            for (int c = 0; c < channels; c++) {
                int plane = base + c * height * width;
                for (int y = 0; y < height; y++) {
                    int sy = Math.min(height - 1, Math.max(0, y - dy));
                    for (int x = 0; x < width; x++) {
                        int sx = Math.min(width - 1, Math.max(0, x - dx));
                        if (mirror) {
                            sx = width - 1 - sx;
                        }
                        out[plane + y * width + x] = in[plane + sy * width + sx];
                    }
                }
            }
        }
        return Nd4j.createFromArray(out).reshape(n, size).castTo(features.dataType());
    }
}

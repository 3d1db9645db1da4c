package dev.kompakt.evaluator.data;

/**
 * The shape of one sample: {@code channels x height x width}, stored channel-major (CHW). Images have their
 * channel count (1 grey, 3 RGB) and pixel size; a table (CSV) is {@linkplain #tabular(int) tabular}: its
 * features are the channels, height and width are 1, and normalisation works on raw values instead of
 * pixels scaled to [0, 1].
 */
public record DataShape(int channels, int height, int width, boolean tabular) {
    public DataShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("sample shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        if (tabular && (height != 1 || width != 1)) {
            throw new IllegalArgumentException("a tabular shape has height and width 1, got " + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sample of " + channels + "x" + height + "x" + width + " is too large");
        }
    }

    /** An image shape: {@code channels x height x width} pixels of 0..255. */
    public static DataShape image(int channels, int height, int width) {
        return new DataShape(channels, height, width, false);
    }

    /** A table row of {@code features} numbers. */
    public static DataShape tabular(int features) {
        return new DataShape(features, 1, 1, true);
    }

    /** Numbers per sample: channels x height x width. */
    public int features() {
        return channels * height * width;
    }

    /** Numbers per channel: height x width. */
    public int pixels() {
        return height * width;
    }

    @Override
    public String toString() {
        return tabular ? features() + " features" : channels + "x" + height + "x" + width;
    }
}

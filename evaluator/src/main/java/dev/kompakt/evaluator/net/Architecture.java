package dev.kompakt.evaluator.net;

/**
 * A network family and its width multiplier. The families are the baselines of the foundation:
 * <ul>
 *   <li>{@code CNN}: conv 5x5 (8w) ReLU, max-pool 2, conv 5x5 (16w) ReLU, max-pool 2, dense (64w) ReLU, softmax;</li>
 *   <li>{@code MLP}: dense (300w) ReLU, dense (100w) ReLU, softmax (LeNet-300-100 at w = 1).</li>
 * </ul>
 * Channel and unit counts are rounded to the nearest integer, at least 1.
 */
public record Architecture(Family family, double width) {
    public enum Family { CNN, MLP }

    public Architecture {
        if (family == null) {
            throw new IllegalArgumentException("architecture family is required (cnn or mlp)");
        }
        if (!(width > 0 && width <= 4)) {
            throw new IllegalArgumentException("width multiplier must be in (0, 4], got " + width);
        }
    }

    public Architecture withWidth(double w) {
        return new Architecture(family, w);
    }

    /** Widths of the hidden layers in order: CNN conv1, conv2, fc1 channels/units; MLP fc1, fc2 units. */
    public int[] units() {
        return family == Family.CNN ? new int[] {scaled(8), scaled(16), scaled(64)} : new int[] {scaled(300), scaled(100)};
    }

    public int scaled(int units) {
        return Math.max(1, (int) Math.round(units * width));
    }

    public static Family family(String name) {
        try {
            return Family.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown architecture '" + name + "' (known: cnn, mlp)", e);
        }
    }
}

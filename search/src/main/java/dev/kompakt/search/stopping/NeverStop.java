package dev.kompakt.search.stopping;

/** The default {@link EarlyStopper}: every trial runs to the end. */
public final class NeverStop implements EarlyStopper {
    public static final NeverStop INSTANCE = new NeverStop();

    private NeverStop() {
    }

    @Override
    public boolean shouldStop(Context context) {
        return false;
    }

    @Override
    public String toString() {
        return "NeverStop";
    }
}

package dev.kompakt.search;

/** Whether an objective is to be made small or large. */
public enum Direction {
    MINIMIZE,
    MAXIMIZE;

    /** The value in "smaller is better" form: negated for {@link #MAXIMIZE}. */
    public double toMinimization(double value) {
        return this == MINIMIZE ? value : -value;
    }
}

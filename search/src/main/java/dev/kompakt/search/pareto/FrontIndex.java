package dev.kompakt.search.pareto;

/**
 * The points of one non-dominated front, indexed for the one question the Efficient Non-dominated Sort asks
 * (Zhang et al., IEEE TEC 2015): does some point of the front weakly dominate a given point, i.e. is no worse
 * in every indexed coordinate? Points are identified by their index into a flat coordinate array
 * ({@code coords[point * dims + k]}) shared with the caller. No coordinate may be NaN.
 */
interface FrontIndex {

    /** True when some point already added is {@code <=} the given point in every coordinate. */
    boolean weaklyDominates(int point);

    void add(int point);

    /** The cheapest index that answers for {@code dims} coordinates. */
    static FrontIndex create(double[] coords, int dims) {
        if (dims == 1) {
            return new MinIndex(coords);
        }
        if (dims == 2) {
            return new StaircaseIndex(coords);
        }
        return new KdTreeIndex(coords, dims);
    }

    /** One coordinate: a point is weakly dominated exactly when the smallest value so far is no larger. */
    final class MinIndex implements FrontIndex {
        private final double[] coords;
        private double min = Double.POSITIVE_INFINITY;
        private boolean empty = true;

        MinIndex(double[] coords) {
            this.coords = coords;
        }

        @Override
        public boolean weaklyDominates(int point) {
            return !empty && min <= coords[point];
        }

        @Override
        public void add(int point) {
            min = empty ? coords[point] : Math.min(min, coords[point]);
            empty = false;
        }
    }
}

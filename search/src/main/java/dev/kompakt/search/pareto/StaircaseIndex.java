package dev.kompakt.search.pareto;

import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link FrontIndex} over two coordinates: only the 2-D non-dominated "staircase" of the added points is
 * kept, ordered by the first coordinate (the second then strictly decreases). The staircase point with the
 * largest first coordinate {@code <= x} has the smallest second coordinate among all points with first
 * coordinate {@code <= x}, so a query is one {@code floorEntry}: O(log n). Insertion removes the staircase points
 * the new one dominates, each at most once: O(log n) amortised.
 */
final class StaircaseIndex implements FrontIndex {
    private final double[] coords;
    private final TreeMap<Double, Double> stairs = new TreeMap<>();

    StaircaseIndex(double[] coords) {
        this.coords = coords;
    }

    @Override
    public boolean weaklyDominates(int point) {
        Map.Entry<Double, Double> left = stairs.floorEntry(x(point));
        return left != null && left.getValue() <= y(point);
    }

    @Override
    public void add(int point) {
        if (weaklyDominates(point)) {
            return; // adds nothing to the region the index answers for
        }
        double x = x(point);
        double y = y(point);
        Map.Entry<Double, Double> right = stairs.ceilingEntry(x);
        while (right != null && right.getValue() >= y) {
            stairs.remove(right.getKey());
            right = stairs.higherEntry(right.getKey());
        }
        stairs.put(x, y);
    }

    private double x(int point) {
        return coords[2 * point] + 0.0; // + 0.0 turns -0.0 into 0.0: TreeMap's keys compare them as different
    }

    private double y(int point) {
        return coords[2 * point + 1];
    }
}

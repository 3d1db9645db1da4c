package dev.kompakt.bench;

import dev.kompakt.search.pareto.Hypervolume;
import dev.kompakt.search.pareto.NonDominatedSorting;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Times the Pareto indicators at scale: the full non-dominated sort (every rank) of N seeded uniform random
 * points in [0,1]^M and, separately, the hypervolume of their first front with reference (1, ..., 1); then the
 * hypervolume of harder fronts, points on the positive part of the unit sphere (all mutually non-dominated) with
 * reference (1.1, ..., 1.1). Each figure is the median of 5 timed runs after a warm-up. Prints markdown tables
 * and PASS/FAIL for the headline requirement: sort + hypervolume of 100,000 4-objective points within 1 s.
 */
public final class IndicatorBenchmark {
    private static final int REPEATS = 5;
    private static final long SEED = 20240611L;

    private IndicatorBenchmark() {
    }

    private record Timed<T>(T value, double millis) {
    }

    public static void main(String[] args) {
        System.out.println("## Non-dominated sort and first-front hypervolume, uniform random points in [0,1]^M");
        System.out.println();
        System.out.println("| N | M | fronts | first front | sort (ms) | hypervolume (ms) | sort + HV (ms) | hypervolume |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        double headline = Double.NaN;
        int[][] rows = {{100_000, 2}, {100_000, 3}, {100_000, 4}, {1_000_000, 2}};
        for (int[] row : rows) {
            double total = uniformRow(row[0], row[1]);
            if (row[0] == 100_000 && row[1] == 4) {
                headline = total;
            }
        }
        System.out.println();
        System.out.println("## Hypervolume of mutually non-dominated points on the unit sphere, reference (1.1, ..., 1.1)");
        System.out.println();
        System.out.println("| N | M | hypervolume (ms) | hypervolume |");
        System.out.println("|---:|---:|---:|---:|");
        int[][] hard = {{1_000, 3}, {10_000, 3}, {300, 4}, {1_000, 4}, {300, 5}, {1_000, 5}};
        for (int[] row : hard) {
            sphereRow(row[0], row[1]);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%s: 100k x 4 sort + HV <= 1 s (median %.1f ms)%n", headline <= 1000 ? "PASS" : "FAIL", headline);
    }

    /** Prints one row and returns the median of (sort + hypervolume) in milliseconds. */
    private static double uniformRow(int n, int m) {
        double[][] points = uniform(n, m, new SplittableRandom(SEED + 31L * m + n));
        double[] reference = new double[m];
        Arrays.fill(reference, 1.0);
        double[] sortMs = new double[REPEATS];
        double[] hvMs = new double[REPEATS];
        double[] totalMs = new double[REPEATS];
        int[] rank = null;
        double hv = 0;
        int frontSize = 0;
        for (int run = -1; run < REPEATS; run++) { // run -1 is the warm-up
            Timed<int[]> sorted = time(() -> NonDominatedSorting.ranks(points));
            rank = sorted.value();
            List<double[]> front = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (rank[i] == 0) {
                    front.add(points[i]);
                }
            }
            frontSize = front.size();
            Timed<Double> volume = time(() -> Hypervolume.of(front, reference));
            hv = volume.value();
            if (run >= 0) {
                sortMs[run] = sorted.millis();
                hvMs[run] = volume.millis();
                totalMs[run] = sorted.millis() + volume.millis();
            }
        }
        int fronts = Arrays.stream(rank).max().orElse(-1) + 1;
        System.out.printf(Locale.ROOT, "| %,d | %d | %,d | %,d | %.1f | %.1f | %.1f | %.6f |%n", n, m, fronts, frontSize,
                median(sortMs), median(hvMs), median(totalMs), hv);
        return median(totalMs);
    }

    private static void sphereRow(int n, int m) {
        List<double[]> points = sphere(n, m, new SplittableRandom(SEED + 17L * m + n));
        double[] reference = new double[m];
        Arrays.fill(reference, 1.1);
        double[] ms = new double[REPEATS];
        double hv = 0;
        for (int run = -1; run < REPEATS; run++) {
            Timed<Double> volume = time(() -> Hypervolume.of(points, reference));
            hv = volume.value();
            if (run >= 0) {
                ms[run] = volume.millis();
            }
        }
        System.out.printf(Locale.ROOT, "| %,d | %d | %.1f | %.6f |%n", n, m, median(ms), hv);
    }

    static double[][] uniform(int n, int m, SplittableRandom random) {
        double[][] points = new double[n][m];
        for (double[] p : points) {
            for (int k = 0; k < m; k++) {
                p[k] = random.nextDouble();
            }
        }
        return points;
    }

    /** Uniform on the positive part of the unit sphere: normalised absolute Gaussians (Marsaglia 1972). */
    static List<double[]> sphere(int n, int m, SplittableRandom random) {
        List<double[]> points = new ArrayList<>(n);
        while (points.size() < n) {
            double[] p = new double[m];
            double norm = 0;
            for (int k = 0; k < m; k++) {
                p[k] = Math.abs(gaussian(random));
                norm += p[k] * p[k];
            }
            norm = Math.sqrt(norm);
            if (norm < 1e-12) {
                continue;
            }
            for (int k = 0; k < m; k++) {
                p[k] /= norm;
            }
            points.add(p);
        }
        return points;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static <T> Timed<T> time(Supplier<T> work) {
        long start = System.nanoTime();
        T value = work.get();
        return new Timed<>(value, (System.nanoTime() - start) / 1e6);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

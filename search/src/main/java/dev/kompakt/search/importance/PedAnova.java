package dev.kompakt.search.importance;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import org.apache.commons.math3.special.Erf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hyperparameter importance by PED-ANOVA (Watanabe, Bansal and Hutter, "PED-ANOVA: Efficiently Quantifying
 * Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023), as Optuna's {@code PedAnovaImportanceEvaluator} computes
 * it: a parameter matters for an objective as much as its distribution among the best trials (the top {@code quantile}
 * by that objective) differs from its distribution among all trials, measured by the Pearson divergence
 * {@code sum_x p_all(x) (p_top(x) / p_all(x) - 1)^2} of the two.
 *
 * <p>The distributions, as in Optuna: a numeric parameter with more than {@link #MAX_CATEGORIES} distinct values is
 * discretised to {@link #STEPS} grid points between its smallest and largest value (log-spaced when they are positive and
 * span at least a factor {@link #LOG_SPAN}), and a Parzen estimator with Scott's bandwidth (at least 0.5/1.64 grid steps)
 * and a prior of one observation (centred, as wide as the grid) is evaluated on the grid; any other parameter is
 * categorical: the count of each value plus a prior of one observation spread uniformly. Trials are the completed ones
 * with a finite value of the objective. A conditional parameter is judged on the trials where it is set: among them, how
 * the top trials' values differ from all values.
 */
public final class PedAnova {
    /** Optuna's default: the best 10% of the trials. */
    public static final double DEFAULT_QUANTILE = 0.1;
    /** Grid points of a numeric parameter (Optuna's {@code n_steps}). */
    public static final int STEPS = 50;
    /** A numeric parameter with at most this many distinct values is treated as categorical. */
    public static final int MAX_CATEGORIES = 16;
    /** Positive values spanning at least this factor are gridded on a log scale. */
    public static final double LOG_SPAN = 100;
    /** Fewer completed trials than this give no importances (a top 10% of fewer than 2 trials says nothing). */
    public static final int MIN_TRIALS = 20;
    private static final double EPS = 1e-12;

    /** One parameter's importance: its Pearson divergence, and its share of the divergences of all parameters. */
    public record Importance(String parameter, double divergence, double share) {
    }

    private PedAnova() {
    }

    /** {@link #evaluate(List, Objective, double)} at {@link #DEFAULT_QUANTILE}. */
    public static List<Importance> evaluate(List<Trial> trials, Objective objective) {
        return evaluate(trials, objective, DEFAULT_QUANTILE);
    }

    /**
     * The importance of every parameter that takes two or more values in the completed trials, largest first; empty when fewer than
     * {@link #MIN_TRIALS} completed trials have a finite value of {@code objective}.
     */
    public static List<Importance> evaluate(List<Trial> trials, Objective objective, double quantile) {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1), got " + quantile);
        }
        List<Trial> used = new ArrayList<>();
        for (Trial t : trials) {
            Double v = t.metric(objective.metric());
            if (t.isComplete() && v != null && Double.isFinite(v)) {
                used.add(t);
            }
        }
        if (used.size() < MIN_TRIALS) {
            return List.of();
        }
        used.sort(Comparator.comparingDouble((Trial t) -> objective.direction().toMinimization(t.metric(objective.metric())))
                .thenComparingInt(Trial::number));
        int nTop = Math.max(2, (int) Math.ceil(quantile * used.size()));
        Set<String> names = new LinkedHashSet<>();
        for (Trial t : used) {
            names.addAll(t.assignment().values().keySet());
        }
        List<Importance> raw = new ArrayList<>();
        double sum = 0;
        for (String name : names) {
            List<Object> all = new ArrayList<>();
            List<Object> top = new ArrayList<>();
            for (int i = 0; i < used.size(); i++) {
                Object v = used.get(i).assignment().values().get(name);
                if (v != null) {
                    all.add(v);
                    if (i < nTop) {
                        top.add(v);
                    }
                }
            }
            if (all.stream().map(PedAnova::key).distinct().count() < 2) {
                continue; // one value: nothing to tell apart
            }
            double d = top.isEmpty() ? 0 : divergence(top, all);
            raw.add(new Importance(name, d, 0));
            sum += d;
        }
        List<Importance> out = new ArrayList<>();
        for (Importance i : raw) {
            out.add(new Importance(i.parameter(), i.divergence(), sum > 0 ? i.divergence() / sum : 0));
        }
        out.sort(Comparator.comparingDouble(Importance::divergence).reversed().thenComparing(Importance::parameter));
        return out;
    }

    /** Pearson divergence of the top values' distribution from all values' distribution. */
    static double divergence(List<Object> top, List<Object> all) {
        double[] pTop;
        double[] pAll;
        if (continuous(all)) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Object o : all) {
                double v = ((Number) o).doubleValue();
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            boolean log = lo > 0 && hi / lo >= LOG_SPAN;
            pTop = scottParzen(gridCounts(top, lo, hi, log));
            pAll = scottParzen(gridCounts(all, lo, hi, log));
        } else {
            Map<String, Integer> index = new LinkedHashMap<>();
            for (Object o : all) {
                index.putIfAbsent(key(o), index.size());
            }
            pTop = categorical(top, index);
            pAll = categorical(all, index);
        }
        double d = 0;
        for (int i = 0; i < pAll.length; i++) {
            double a = pAll[i] + EPS;
            double r = (pTop[i] + EPS) / a - 1;
            d += a * r * r;
        }
        return d;
    }

    private static boolean continuous(List<Object> values) {
        Set<Double> distinct = new java.util.HashSet<>();
        for (Object o : values) {
            if (!(o instanceof Number n) || o instanceof Boolean || !Double.isFinite(n.doubleValue())) {
                return false;
            }
            distinct.add(n.doubleValue());
        }
        return distinct.size() > MAX_CATEGORIES;
    }

    private static String key(Object o) {
        if (o instanceof Number n && !(o instanceof Boolean)) {
            return Double.toString(n.doubleValue()); // 8 and 8.0 are one value
        }
        return String.valueOf(o);
    }

    /** Count plus a prior of one observation spread over the values, normalised. */
    private static double[] categorical(List<Object> values, Map<String, Integer> index) {
        int k = index.size();
        double[] p = new double[k];
        for (Object o : values) {
            p[index.get(key(o))] += 1;
        }
        double total = values.size() + 1.0;
        for (int i = 0; i < k; i++) {
            p[i] = (p[i] + 1.0 / k) / total;
        }
        return p;
    }

    /** How many values fall on each of the {@link #STEPS} grid points (the nearest). */
    private static double[] gridCounts(List<Object> values, double lo, double hi, boolean log) {
        double a = log ? Math.log(lo) : lo;
        double b = log ? Math.log(hi) : hi;
        double[] counts = new double[STEPS];
        for (Object o : values) {
            double v = ((Number) o).doubleValue();
            double x = log ? Math.log(v) : v;
            int i = (int) Math.round((x - a) / (b - a) * (STEPS - 1));
            counts[Math.max(0, Math.min(STEPS - 1, i))] += 1;
        }
        return counts;
    }

    /**
     * Optuna's {@code _ScottParzenEstimator} on grid indices 0..STEPS-1: one Gaussian per occupied index weighted by its
     * count, all with Scott's bandwidth {@code 1.059 min(IQR / 1.34, sd) n^-0.2} (at least 0.5/1.64), plus the prior
     * (mean the grid's centre, sd its width, weight one observation); each kernel truncated to [-0.5, STEPS - 0.5] and
     * integrated over each index's cell. Returns the probability of each index.
     */
    static double[] scottParzen(double[] counts) {
        int steps = counts.length;
        double n = 0;
        double mean = 0;
        for (int i = 0; i < steps; i++) {
            n += counts[i];
            mean += i * counts[i];
        }
        mean /= n;
        double ss = 0;
        for (int i = 0; i < steps; i++) {
            ss += counts[i] * (i - mean) * (i - mean);
        }
        double sd = Math.sqrt(ss / Math.max(1, n - 1));
        int q25 = quantileIndex(counts, Math.floor(n / 4));
        int q75 = quantileIndex(counts, Math.floor(n * 3 / 4));
        double sigma = 1.059 * Math.min((q75 - q25) / 1.34, sd) * Math.pow(n, -0.2);
        sigma = Math.max(sigma, 0.5 / 1.64);
        double[] p = new double[steps];
        double totalWeight = n + 1;
        for (int k = 0; k < steps; k++) {
            if (counts[k] > 0) {
                addKernel(p, k, sigma, counts[k] / totalWeight);
            }
        }
        addKernel(p, 0.5 * (steps - 1), steps, 1 / totalWeight);
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        for (int i = 0; i < steps; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The first occupied index at which the cumulative count reaches {@code target} (numpy's searchsorted, left). */
    private static int quantileIndex(double[] counts, double target) {
        double cum = 0;
        int last = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                cum += counts[i];
                last = i;
                if (cum >= target) {
                    return i;
                }
            }
        }
        return last;
    }

    private static void addKernel(double[] p, double mu, double sigma, double weight) {
        int steps = p.length;
        double z = cdf(steps - 0.5, mu, sigma) - cdf(-0.5, mu, sigma);
        for (int i = 0; i < steps; i++) {
            p[i] += weight * (cdf(i + 0.5, mu, sigma) - cdf(i - 0.5, mu, sigma)) / z;
        }
    }

    private static double cdf(double x, double mu, double sigma) {
        return 0.5 * (1 + Erf.erf((x - mu) / (sigma * Math.sqrt(2))));
    }
}

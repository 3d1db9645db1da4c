package dev.kompakt.search.sampler;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.util.FastMath;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Parzen estimators of the tree-structured Parzen estimator (Bergstra et al., NeurIPS 2011), as Optuna builds
 * them: a weighted mixture with one kernel per observation plus one broad prior kernel. A numeric dimension uses a
 * Gaussian truncated to the parameter's range (on a grid, the kernel's mass over each grid cell); a categorical
 * dimension uses, per observation, the observed choice plus a uniform share of the prior weight.
 *
 * <p>An estimator is either univariate (one dimension; kernel widths from the distances to the neighbouring
 * observations, clipped by Optuna's "magic clip") or multivariate over several dimensions with a product kernel
 * per observation (Falkner et al., ICML 2018; widths by Scott's rule, clipped the same way).
 * Values are in each dimension's internal coordinate ({@link Dim}): log parameters in log space, choices by index.
 */
final class ParzenEstimator {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0.0, 1.0);
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SQRT2 = Math.sqrt(2.0);

    /**
     * One dimension: a numeric range [low, high] in internal coordinates with a grid step (0 = continuous), or a
     * categorical with {@code choices} options (then low, high and step are unused).
     */
    record Dim(double low, double high, double step, int choices) {
        static Dim numeric(double low, double high, double step) {
            return new Dim(low, high, step, 0);
        }

        static Dim categorical(int choices) {
            return new Dim(0, 0, 0, choices);
        }

        boolean isCategorical() {
            return choices > 0;
        }

        /** The interval over which a numeric kernel is truncated: the range, widened by half a cell on a grid. */
        double lower() {
            return step > 0 ? low - step / 2 : low;
        }

        double upper() {
            return step > 0 ? high + step / 2 : high;
        }

        double width() {
            return upper() - lower();
        }
    }

    private final List<Dim> dims;
    /** Component weights (observations then prior), normalised, and their logarithms. */
    private final double[] weights;
    private final double[] logWeights;
    /** Per component and dimension: the kernel centre (numeric) or the observed choice index (categorical, -1 = prior). */
    private final double[][] centres;
    private final double[][] sigmas;
    /** Per component and numeric dimension: log of the kernel's mass inside the truncation interval, and log sigma. */
    private final double[][] logTruncation;
    private final double[][] logSigmas;
    /** Per categorical dimension: an observation kernel's log mass on its own choice and on any other one. */
    private final double[] logHit;
    private final double[] logMiss;
    private final double priorWeight;

    private ParzenEstimator(List<Dim> dims, double[] weights, double[][] centres, double[][] sigmas, double priorWeight) {
        this.dims = dims;
        this.weights = weights;
        this.centres = centres;
        this.sigmas = sigmas;
        this.priorWeight = priorWeight;
        this.logWeights = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            logWeights[k] = weights[k] > 0 ? Math.log(weights[k]) : Double.NEGATIVE_INFINITY;
        }
        this.logTruncation = new double[weights.length][dims.size()];
        this.logSigmas = new double[weights.length][dims.size()];
        for (int k = 0; k < weights.length; k++) {
            for (int d = 0; d < dims.size(); d++) {
                Dim dim = dims.get(d);
                if (!dim.isCategorical()) {
                    double s = sigmas[k][d];
                    logTruncation[k][d] = logMass((dim.lower() - centres[k][d]) / s, (dim.upper() - centres[k][d]) / s);
                    logSigmas[k][d] = Math.log(s);
                }
            }
        }
        this.logHit = new double[dims.size()];
        this.logMiss = new double[dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            int choices = dims.get(d).choices();
            if (choices > 0) {
                logHit[d] = Math.log((priorWeight / choices + 1.0) / (priorWeight + 1.0));
                logMiss[d] = Math.log((priorWeight / choices) / (priorWeight + 1.0));
            }
        }
    }

    /**
     * Builds an estimator over {@code dims} from observations ({@code observations[i][d]}, every dimension present)
     * with non-negative weights; the prior kernel gets {@code priorWeight} before normalisation.
     */
    static ParzenEstimator build(List<Dim> dims, double[][] observations, double[] observationWeights, double priorWeight,
                                 boolean multivariate) {
        int n = observations.length;
        if (!multivariate && dims.size() != 1) {
            throw new IllegalArgumentException("a univariate Parzen estimator has one dimension, got " + dims.size());
        }
        double[] w = new double[n + 1];
        double total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.max(0.0, observationWeights[i]);
            total += w[i];
        }
        w[n] = priorWeight;
        total += priorWeight;
        for (int k = 0; k <= n; k++) {
            w[k] /= total;
        }
        double[][] centres = new double[n + 1][dims.size()];
        double[][] sigmas = new double[n + 1][dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            Dim dim = dims.get(d);
            if (dim.isCategorical()) {
                for (int i = 0; i < n; i++) {
                    centres[i][d] = observations[i][d];
                }
                centres[n][d] = -1;
                continue;
            }
            double[] mus = new double[n];
            for (int i = 0; i < n; i++) {
                mus[i] = observations[i][d];
                centres[i][d] = mus[i];
            }
            double prior = 0.5 * (dim.lower() + dim.upper());
            centres[n][d] = prior;
            double range = dim.width();
            double[] s = multivariate ? scottSigmas(mus, dims.size(), range) : neighbourSigmas(mus, prior, dim);
            double maxSigma = range;
            double minSigma = range / Math.min(100.0, 1.0 + (n + 1));
            for (int i = 0; i < n; i++) {
                sigmas[i][d] = Math.max(minSigma, Math.min(maxSigma, s[i]));
            }
            sigmas[n][d] = range;
        }
        for (int d = 0; d < dims.size(); d++) {
            if (!dims.get(d).isCategorical() && !(dims.get(d).width() > 0)) {
                throw new IllegalArgumentException("a numeric dimension needs a positive width, got " + dims.get(d));
            }
        }
        return new ParzenEstimator(List.copyOf(dims), w, centres, sigmas, priorWeight);
    }

    /**
     * Scott's rule for a d-dimensional product kernel (Scott 1992): the observations' sample standard deviation in
     * this dimension times {@code n^(-1/(d+4))}, as BOHB's KDE does (Falkner et al. 2018, statsmodels' normal-reference
     * rule). Optuna scales the range instead of the standard deviation; that keeps kernels wide after the good
     * group has converged, and in {@code bench samplers} (200 evaluations, 10 seeds) it left MO-TPE behind this rule
     * on every problem (e.g. DTLZ2 0.23 vs 0.52, ZDT6 0.43 vs 0.49 of the true front's hypervolume). Fewer than two
     * observations: the range.
     */
    private static double[] scottSigmas(double[] mus, int d, double range) {
        int n = mus.length;
        double std = range;
        if (n > 1) {
            double mean = 0;
            for (double m : mus) {
                mean += m;
            }
            mean /= n;
            double squares = 0;
            for (double m : mus) {
                squares += (m - mean) * (m - mean);
            }
            std = Math.sqrt(squares / (n - 1));
        }
        double[] s = new double[n];
        Arrays.fill(s, std * Math.pow(Math.max(n, 1), -1.0 / (d + 4)));
        return s;
    }

    /**
     * Optuna's univariate rule: each kernel's width is the larger distance to its neighbours among the sorted
     * observations, the prior's centre and the range's ends; the outermost observations use their inner neighbour.
     */
    private static double[] neighbourSigmas(double[] mus, double priorMu, Dim dim) {
        int n = mus.length;
        double[] s = new double[n];
        if (n == 0) {
            return s;
        }
        Integer[] order = new Integer[n + 1];
        double[] withPrior = Arrays.copyOf(mus, n + 1);
        withPrior[n] = priorMu;
        for (int i = 0; i <= n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(withPrior[a], withPrior[b]));
        double[] sorted = new double[n + 3];
        sorted[0] = dim.lower();
        for (int i = 0; i <= n; i++) {
            sorted[i + 1] = withPrior[order[i]];
        }
        sorted[n + 2] = dim.upper();
        double[] sortedSigma = new double[n + 1];
        for (int i = 1; i <= n + 1; i++) {
            sortedSigma[i - 1] = Math.max(sorted[i] - sorted[i - 1], sorted[i + 1] - sorted[i]);
        }
        if (n + 3 >= 4) {
            sortedSigma[0] = sorted[2] - sorted[1];
            sortedSigma[n] = sorted[n + 1] - sorted[n];
        }
        for (int i = 0; i <= n; i++) {
            if (order[i] < n) {
                s[order[i]] = sortedSigma[i];
            }
        }
        return s;
    }

    int components() {
        return weights.length;
    }

    /** Draws one point: a component by weight, then each dimension from that component's kernel. */
    double[] sample(SplittableRandom random) {
        double u = random.nextDouble();
        int k = 0;
        double acc = weights[0];
        while (u >= acc && k < weights.length - 1) {
            k++;
            acc += weights[k];
        }
        double[] x = new double[dims.size()];
        for (int d = 0; d < dims.size(); d++) {
            Dim dim = dims.get(d);
            x[d] = dim.isCategorical() ? sampleCategorical(dim, (int) centres[k][d], random) : sampleNumeric(dim, k, d, random);
        }
        return x;
    }

    private int sampleCategorical(Dim dim, int observed, SplittableRandom random) {
        if (observed < 0) {
            return random.nextInt(dim.choices());
        }
        // the observation's kernel: (priorWeight / choices + [c == observed]) / (priorWeight + 1)
        double stay = 1.0 / (priorWeight + 1.0);
        return random.nextDouble() < stay ? observed : random.nextInt(dim.choices());
    }

    private double sampleNumeric(Dim dim, int k, int d, SplittableRandom random) {
        double mu = centres[k][d];
        double sigma = sigmas[k][d];
        double a = cdf((dim.lower() - mu) / sigma);
        double b = cdf((dim.upper() - mu) / sigma);
        double p = a + random.nextDouble() * (b - a);
        p = Math.min(Math.max(p, 1e-300), 1 - 1e-16);
        double x = mu + sigma * STANDARD_NORMAL.inverseCumulativeProbability(p);
        x = Math.min(dim.upper(), Math.max(dim.lower(), x));
        if (dim.step() > 0) {
            x = dim.low() + Math.rint((x - dim.low()) / dim.step()) * dim.step();
            x = Math.min(dim.high(), Math.max(dim.low(), x));
        }
        return x;
    }

    /** Log density (log probability mass on a grid or for a categorical dimension) of the mixture at {@code x}. */
    double logPdf(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            double t = logWeights[k];
            for (int d = 0; d < dims.size() && t > Double.NEGATIVE_INFINITY; d++) {
                t += logKernel(k, d, x[d]);
            }
            terms[k] = t;
            max = Math.max(max, t);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double t : terms) {
            sum += FastMath.exp(t - max);
        }
        return max + Math.log(sum);
    }

    private double logKernel(int k, int d, double x) {
        Dim dim = dims.get(d);
        if (dim.isCategorical()) {
            // an observation's kernel is (priorWeight / choices + [x == observed]) / (priorWeight + 1); the prior's is uniform
            int observed = (int) centres[k][d];
            if (observed < 0) {
                return -Math.log(dim.choices());
            }
            return (int) x == observed ? logHit[d] : logMiss[d];
        }
        double mu = centres[k][d];
        double sigma = sigmas[k][d];
        if (dim.step() > 0) {
            double half = dim.step() / 2;
            return logMass((x - half - mu) / sigma, (x + half - mu) / sigma) - logTruncation[k][d];
        }
        double z = (x - mu) / sigma;
        return -0.5 * z * z - LOG_SQRT_2PI - logSigmas[k][d] - logTruncation[k][d];
    }

    /** Standard normal cumulative distribution. */
    static double cdf(double z) {
        return 0.5 * Erf.erfc(-z / SQRT2);
    }

    /** log(Phi(b) - Phi(a)) for a &lt; b, accurate in both tails; far out it falls back to a density bound. */
    static double logMass(double a, double b) {
        double mass;
        if (a > 0) {
            mass = 0.5 * (Erf.erfc(a / SQRT2) - Erf.erfc(b / SQRT2));
        } else if (b < 0) {
            mass = 0.5 * (Erf.erfc(-b / SQRT2) - Erf.erfc(-a / SQRT2));
        } else {
            mass = 1.0 - 0.5 * Erf.erfc(-a / SQRT2) - 0.5 * Erf.erfc(b / SQRT2);
        }
        if (mass > 1e-250) {
            return Math.log(mass);
        }
        double nearest = a > 0 ? a : (b < 0 ? -b : 0.0);
        return -0.5 * nearest * nearest - LOG_SQRT_2PI + Math.log(b - a);
    }
}

package dev.kompakt.bench.samplers;

import dev.kompakt.search.pareto.Hypervolume;
import dev.kompakt.search.pareto.NonDominatedSorting;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's score of one run: the hypervolume of the non-dominated set of all points the run evaluated
 * (every method is scored on everything it paid for, not only on a final population), on objectives normalised
 * by the true front's ideal and nadir points, divided by the true front's hypervolume under the same reference
 * point (r, ..., r). 1 means the run found the whole front; points beyond the reference count for nothing.
 */
public final class Score {
    private Score() {
    }

    /** The hypervolume ratio for each reference in {@code references}. */
    public static double[] hypervolumeRatios(TestProblem problem, List<double[]> evaluated, double[] references) {
        TrueFront front = problem.trueFront();
        List<double[]> nonDominated = normalisedNonDominated(front, evaluated);
        double[] ratios = new double[references.length];
        for (int i = 0; i < references.length; i++) {
            double[] reference = new double[problem.objectiveCount()];
            Arrays.fill(reference, references[i]);
            ratios[i] = Hypervolume.of(nonDominated, reference) / front.hypervolume(references[i]);
        }
        return ratios;
    }

    static List<double[]> normalisedNonDominated(TrueFront front, List<double[]> evaluated) {
        double[][] points = evaluated.stream().map(front::normalise).toArray(double[][]::new);
        int[] rank = NonDominatedSorting.ranks(points);
        List<double[]> result = new ArrayList<>();
        for (int i = 0; i < points.length; i++) {
            if (rank[i] == 0) {
                result.add(points[i]);
            }
        }
        return result;
    }
}

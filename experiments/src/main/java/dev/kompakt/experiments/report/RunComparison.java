package dev.kompakt.experiments.report;

import dev.kompakt.experiments.RecordedRun;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.Hypervolume;
import dev.kompakt.search.pareto.HypervolumeHistory;
import dev.kompakt.search.pareto.Normalization;
import dev.kompakt.search.pareto.ParetoFront;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares runs of the same search problem (same objectives and constraints), e.g. two samplers or two seeds: the
 * hypervolume of each run's feasible front, and how it grew trial by trial. Objectives are normalised on the ideal
 * and nadir of every run's feasible trials together, so the runs are measured with one yardstick, and the reference
 * point is 1.1 per normalised objective (a common choice; it counts the extreme points of the union's front).
 */
public record RunComparison(List<Objective> objectives, List<Constraint> constraints, Normalization normalization, List<Row> rows) {

    public static final double REFERENCE = 1.1;

    /** One run: counts, its front's normalised hypervolume, and the hypervolume after each completed trial. */
    public record Row(String run, String sampler, int trials, long complete, long feasible, int front, double hypervolume,
                      List<HypervolumeHistory.Step> history) {
        /** The hypervolume once the first {@code n} trials (by number) had finished: the last step at or before them. */
        public double hypervolumeAfter(int n) {
            double hv = 0;
            for (HypervolumeHistory.Step s : history) {
                if (s.trialNumber() < n) {
                    hv = Math.max(hv, s.hypervolume());
                }
            }
            return hv;
        }
    }

    public static RunComparison of(List<RecordedRun> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare");
        }
        RecordedRun first = runs.get(0);
        List<Objective> objectives = first.spec().search().objectives();
        List<Constraint> constraints = first.spec().search().constraints();
        for (RecordedRun r : runs) {
            if (!r.spec().search().objectives().equals(objectives) || !r.spec().search().constraints().equals(constraints)) {
                throw new SpecException(r.dir().toString(), List.of("its objectives and constraints differ from " + first.dir()
                        + "'s; only runs of the same problem can be compared"));
            }
        }
        List<double[]> feasible = new ArrayList<>();
        for (RecordedRun r : runs) {
            feasible.addAll(feasiblePoints(r.trials(), objectives, constraints));
        }
        if (feasible.isEmpty()) {
            throw new SpecException(first.dir().toString(), List.of("no run has a feasible complete trial to compare"));
        }
        Normalization normalization = Normalization.fromPoints(feasible);
        List<Row> rows = new ArrayList<>();
        for (RecordedRun r : runs) {
            List<Trial> front = ParetoFront.of(r.trials(), objectives, constraints);
            double hv = normalisedHypervolume(front, objectives, normalization);
            List<HypervolumeHistory.Step> history = normalisedHistory(r.trials(), objectives, constraints, normalization);
            long complete = r.trials().stream().filter(Trial::isComplete).count();
            long ok = r.trials().stream().filter(t -> t.isComplete() && t.violation(constraints) == 0).count();
            rows.add(new Row(r.dir().toString(), r.spec().search().sampler(), r.trials().size(), complete, ok, front.size(), hv,
                    List.copyOf(history)));
        }
        return new RunComparison(objectives, constraints, normalization, List.copyOf(rows));
    }

    /** Objective vectors (minimisation form) of the COMPLETE, feasible trials whose objectives are all finite. */
    static List<double[]> feasiblePoints(List<Trial> trials, List<Objective> objectives, List<Constraint> constraints) {
        List<double[]> points = new ArrayList<>();
        for (Trial t : trials) {
            if (t.state() == TrialState.COMPLETE && t.violation(constraints) == 0) {
                double[] v = t.minimizationVector(objectives);
                if (java.util.Arrays.stream(v).allMatch(Double::isFinite)) {
                    points.add(v);
                }
            }
        }
        return points;
    }

    /** The reference point, in the trials' own minimisation units, that is {@link #REFERENCE} after normalisation. */
    static double[] reference(Normalization n) {
        double[] reference = new double[n.objectives()];
        for (int j = 0; j < reference.length; j++) {
            reference[j] = n.ideal()[j] + REFERENCE * range(n, j);
        }
        return reference;
    }

    /** The volume of one normalised unit box in the trials' own units (a zero range counts as 1). */
    private static double unitVolume(Normalization n) {
        double unit = 1;
        for (int j = 0; j < n.objectives(); j++) {
            unit *= range(n, j);
        }
        return unit;
    }

    private static double range(Normalization n, int j) {
        double range = n.nadir()[j] - n.ideal()[j];
        return range > 0 ? range : 1.0;
    }

    /** Hypervolume of these trials' objective vectors after normalisation, reference {@link #REFERENCE}. */
    static double normalisedHypervolume(List<Trial> trials, List<Objective> objectives, Normalization n) {
        return Hypervolume.of(trials.stream().map(t -> t.minimizationVector(objectives)).toList(), reference(n)) / unitVolume(n);
    }

    /** {@link HypervolumeHistory} of a run's trials after normalisation, reference {@link #REFERENCE}. */
    static List<HypervolumeHistory.Step> normalisedHistory(List<Trial> trials, List<Objective> objectives, List<Constraint> constraints,
                                                         Normalization n) {
        double unit = unitVolume(n);
        List<HypervolumeHistory.Step> history = new ArrayList<>();
        for (HypervolumeHistory.Step s : HypervolumeHistory.of(trials, objectives, constraints, reference(n))) {
            history.add(new HypervolumeHistory.Step(s.trialNumber(), s.hypervolume() / unit));
        }
        return history;
    }

    /**
     * The hypervolume of the feasible front of {@code trials} (any subset of a compared run's, e.g. those finished by some
     * time), measured with this comparison's normalisation and reference point, like {@link Row#hypervolume()}.
     */
    public double hypervolumeOf(List<Trial> trials) {
        return normalisedHypervolume(ParetoFront.of(trials, objectives, constraints), objectives, normalization);
    }

    public void print(PrintStream out) {
        int most = rows.stream().mapToInt(Row::trials).max().orElse(0);
        List<Integer> checkpoints = new ArrayList<>();
        for (int q = 1; q <= 4; q++) {
            checkpoints.add((int) Math.ceil(most * q / 4.0));
        }
        out.printf("objectives: %s; constraints: %s%n", objectives.stream().map(o -> o.metric() + " (" + o.direction().name().toLowerCase()
                + ")").toList(), constraints.stream().map(c -> c.metric() + " <= " + c.max()).toList());
        out.printf("hypervolume of each run's feasible front, objectives normalised on all runs' feasible trials together "
                + "(ideal -> 0, nadir -> 1), reference %.1f per objective%n%n", REFERENCE);
        StringBuilder header = new StringBuilder("| run | sampler | trials | complete | feasible | front | hypervolume |");
        StringBuilder rule = new StringBuilder("|---|---|---:|---:|---:|---:|---:|");
        for (int c : checkpoints) {
            header.append(" after ").append(c).append(" |");
            rule.append("---:|");
        }
        out.println(header);
        out.println(rule);
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(String.format("| %s | %s | %d | %d | %d | %d | %.4f |", r.run(), r.sampler(), r.trials(),
                    r.complete(), r.feasible(), r.front(), r.hypervolume()));
            for (int c : checkpoints) {
                line.append(String.format(" %.4f |", r.hypervolumeAfter(c)));
            }
            out.println(line);
        }
        out.flush();
    }
}

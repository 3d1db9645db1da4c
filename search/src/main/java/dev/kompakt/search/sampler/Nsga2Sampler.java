package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.Seeds;
import dev.kompakt.search.Trial;
import dev.kompakt.search.pareto.NonDominatedSorting;
import dev.kompakt.search.pareto.ParetoFront;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * NSGA-II (Deb et al., IEEE TEC 2002) as an ask/tell sampler for mixed spaces. Until {@code populationSize}
 * trials have completed it samples at random; after that the parent population is the best
 * {@code populationSize} completed trials by constrained non-dominated rank, then crowding distance
 * (the elitist (mu + lambda) step over all completed trials), and each new trial is one child made by
 * binary tournament, then simulated binary crossover and polynomial mutation on numeric parameters (in
 * their unit coordinates, so log scales are respected) and uniform crossover plus random-reset mutation on
 * categorical ones. A child equal to an earlier trial is mutated again, so the same candidate is not paid
 * for twice.
 */
public final class Nsga2Sampler implements Sampler {
    private final long seed;
    private final int populationSize;
    private final double crossoverProbability;
    private final double crossoverEta;
    private final double mutationEta;

    public Nsga2Sampler(long seed, int populationSize) {
        this(seed, populationSize, 0.9, 15.0, 20.0);
    }

    public Nsga2Sampler(long seed, int populationSize, double crossoverProbability, double crossoverEta, double mutationEta) {
        if (populationSize < 2) {
            throw new IllegalArgumentException("NSGA-II populationSize must be >= 2, got " + populationSize);
        }
        if (crossoverProbability < 0 || crossoverProbability > 1) {
            throw new IllegalArgumentException("crossoverProbability must be in [0, 1], got " + crossoverProbability);
        }
        this.seed = seed;
        this.populationSize = populationSize;
        this.crossoverProbability = crossoverProbability;
        this.crossoverEta = crossoverEta;
        this.mutationEta = mutationEta;
    }

    public int populationSize() {
        return populationSize;
    }

    @Override
    public Assignment sample(Context context) {
        SplittableRandom random = Seeds.forTrial(seed, context.trialNumber());
        List<Trial> completed = new ArrayList<>(context.completed());
        completed.removeIf(t -> ParetoFront.hasNaN(t.minimizationVector(context.objectives())));
        if (completed.size() < populationSize) {
            return context.space().fromUnit(p -> random.nextDouble());
        }
                List<Ranked> parents = selectParents(completed, context);
        Set<Assignment> seen = new HashSet<>();
        context.history().forEach(t -> seen.add(t.assignment()));

        Trial a = tournament(parents, random);
        Trial b = tournament(parents, random);
        List<Parameter> params = context.space().parameters();
        double[] child = new double[params.size()];
        boolean cross = random.nextDouble() < crossoverProbability;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            double ua = unit(p, a.assignment(), random);
            double ub = unit(p, b.assignment(), random);
            if (p instanceof Parameter.Categorical) {
                child[i] = cross && random.nextBoolean() ? ub : ua;
            } else {
                child[i] = cross && random.nextDouble() < 0.5 ? sbx(ua, ub, random) : ua;
            }
        }
        Assignment result = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            double[] mutated = mutate(child, params, random, attempt);
            result = context.space().fromUnit(p -> mutated[params.indexOf(p)]);
            if (!seen.contains(result)) {
                return result;
            }
        }
        return result;
    }

    private record Ranked(Trial trial, int rank, double crowding) {
    }

    private List<Ranked> selectParents(List<Trial> completed, Context context) {
        double[][] points = completed.stream().map(t -> t.minimizationVector(context.objectives())).toArray(double[][]::new);
        double[] violations = completed.stream().mapToDouble(t -> t.violation(context.constraints())).toArray();
        int[] rank = NonDominatedSorting.ranks(points, violations);
        int maxRank = 0;
        for (int r : rank) {
            maxRank = Math.max(maxRank, r);
        }
        List<Ranked> ranked = new ArrayList<>();
        for (int r = 0; r <= maxRank; r++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < rank.length; i++) {
                if (rank[i] == r) {
                    members.add(i);
                }
            }
            double[] crowd = NonDominatedSorting.crowdingDistance(points, members);
            for (int k = 0; k < members.size(); k++) {
                ranked.add(new Ranked(completed.get(members.get(k)), r, crowd[k]));
            }
        }
        ranked.sort(Comparator.comparingInt(Ranked::rank).thenComparing(Comparator.comparingDouble(Ranked::crowding).reversed())
                .thenComparingInt(r -> r.trial().number()));
        return ranked.subList(0, Math.min(populationSize, ranked.size()));
    }

    private static Trial tournament(List<Ranked> parents, SplittableRandom random) {
        Ranked x = parents.get(random.nextInt(parents.size()));
        Ranked y = parents.get(random.nextInt(parents.size()));
        if (x.rank() != y.rank()) {
            return x.rank() < y.rank() ? x.trial() : y.trial();
        }
        return x.crowding() >= y.crowding() ? x.trial() : y.trial();
    }

    /** The parent's unit coordinate for a parameter, or a random one when the parameter was inactive there. */
    private static double unit(Parameter p, Assignment a, SplittableRandom random) {
        return a.has(p.name()) ? clamp(p.toUnit(a.get(p.name()))) : random.nextDouble();
    }

    /** Simulated binary crossover (Deb and Agrawal 1995) on [0, 1], returning one of the two children. */
    private double sbx(double x1, double x2, SplittableRandom random) {
        if (Math.abs(x1 - x2) < 1e-14) {
            return x1;
        }
        double u = random.nextDouble();
        double beta = u <= 0.5 ? Math.pow(2 * u, 1.0 / (crossoverEta + 1)) : Math.pow(1.0 / (2 * (1 - u)), 1.0 / (crossoverEta + 1));
        double c1 = 0.5 * ((x1 + x2) - beta * Math.abs(x2 - x1));
        double c2 = 0.5 * ((x1 + x2) + beta * Math.abs(x2 - x1));
        return clamp(random.nextBoolean() ? c1 : c2);
    }

    /** Polynomial mutation (Deb and Goyal 1996) with probability 1/n per numeric gene, random reset for categoricals. */
    private double[] mutate(double[] genes, List<Parameter> params, SplittableRandom random, int attempt) {
        double[] out = genes.clone();
        double probability = Math.min(1.0, (1.0 + attempt) / Math.max(1, params.size()));
        for (int i = 0; i < out.length; i++) {
            if (random.nextDouble() >= probability) {
                continue;
            }
            if (params.get(i) instanceof Parameter.Categorical) {
                out[i] = random.nextDouble();
            } else {
                double u = random.nextDouble();
                double delta = u < 0.5 ? Math.pow(2 * u, 1.0 / (mutationEta + 1)) - 1 : 1 - Math.pow(2 * (1 - u), 1.0 / (mutationEta + 1));
                out[i] = clamp(out[i] + delta);
            }
        }
        return out;
    }

    private static double clamp(double u) {
        return Math.max(0.0, Math.min(1.0 - 1e-12, u));
    }
}

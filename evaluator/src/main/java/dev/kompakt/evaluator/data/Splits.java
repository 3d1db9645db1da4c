package dev.kompakt.evaluator.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Stratified, seeded choices of sample indices: a train/validation split and class-balanced subsets. */
public final class Splits {
    private Splits() {
    }

    /**
     * A split of a dataset's indices into training and validation, both ascending, with a short description for
     * provenance. The arrays are not copied: callers must not write to them.
     */
    public record TrainValidation(int[] train, int[] validation, String description) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TrainValidation other && Arrays.equals(train, other.train)
                    && Arrays.equals(validation, other.validation) && description.equals(other.description);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(train) + Arrays.hashCode(validation)) + description.hashCode();
        }

        @Override
        public String toString() {
            return "TrainValidation[" + description + "]";
        }
    }

    /**
     * Splits all of {@code data}'s samples: about {@code validationFraction} of each class goes to validation, chosen at
     * random with {@code seed}. A class with at least two samples keeps at least one in each part; a class with one
     * sample stays in training. The same data, fraction and seed always give the same split.
     */
    public static TrainValidation trainValidation(Dataset data, double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 0.5], got " + validationFraction);
        }
        List<List<Integer>> byClass = byClass(data, data.allIndices(), seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        for (List<Integer> members : byClass) {
            int n = members.size();
            int v = n < 2 ? 0 : (int) Math.min(n - 1, Math.max(1, Math.round(n * validationFraction)));
            validation.addAll(members.subList(0, v));
            train.addAll(members.subList(v, n));
        }
        int[] t = sorted(train);
        int[] v = sorted(validation);
        String description = String.format(Locale.ROOT, "stratified validation split of %s: fraction %s, seed %d, %d train / %d validation",
                data.name(), validationFraction, seed, t.length, v.length);
        return new TrainValidation(t, v, description);
    }

    /**
     * {@code n} of the samples at {@code indices}, spread evenly over the classes (round-robin over classes, random
     * within a class with {@code seed}), ascending. All of {@code indices}, ascending, when there are no more than n.
     */
    public static int[] stratifiedSubset(Dataset data, int[] indices, int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("subset size must not be negative, got " + n);
        }
        if (n >= indices.length) {
            int[] all = indices.clone();
            Arrays.sort(all);
            return all;
        }
        List<List<Integer>> byClass = byClass(data, indices, seed);
        List<Integer> taken = new ArrayList<>(n);
        for (int round = 0; taken.size() < n; round++) {
            for (List<Integer> members : byClass) {
                if (round < members.size() && taken.size() < n) {
                    taken.add(members.get(round));
                }
            }
        }
        return sorted(taken);
    }

    /** The indices of each class, in index order, then shuffled with one generator seeded once. */
    private static List<List<Integer>> byClass(Dataset data, int[] indices, long seed) {
        List<List<Integer>> byClass = new ArrayList<>(data.classes());
        for (int c = 0; c < data.classes(); c++) {
            byClass.add(new ArrayList<>());
        }
        int[] ordered = indices.clone();
        Arrays.sort(ordered);
        for (int i : ordered) {
            byClass.get(data.label(i)).add(i);
        }
        Random random = new Random(seed);
        for (List<Integer> members : byClass) {
            Collections.shuffle(members, random);
        }
        return byClass;
    }

    private static int[] sorted(List<Integer> indices) {
        int[] a = indices.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }
}

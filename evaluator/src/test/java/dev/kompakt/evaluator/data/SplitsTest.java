package dev.kompakt.evaluator.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitsTest {
    /** Labels only; features are not needed for splitting. */
    private record Labels(int classes, int... labels) implements Dataset {
        @Override
        public String name() {
            return "labels";
        }

        @Override
        public DataShape shape() {
            return DataShape.tabular(1);
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public int label(int i) {
            return labels[i];
        }

        @Override
        public void features(int i, float[] out, int offset) {
            out[offset] = labels[i];
        }
    }

    /** 100 of class 0, 30 of class 1, 2 of class 2, 1 of class 3, interleaved. */
    private static Labels skewed() {
        int[] labels = new int[133];
        int k = 0;
        for (int i = 0; i < 100; i++) {
            labels[k++] = 0;
            if (i < 30) {
                labels[k++] = 1;
            }
        }
        labels[k++] = 2;
        labels[k++] = 3;
        labels[k] = 2;
        return new Labels(4, labels);
    }

    private static int[] countByClass(Dataset d, int[] indices) {
        int[] counts = new int[d.classes()];
        for (int i : indices) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    @Test
    void splitIsStratifiedDisjointCompleteAndSorted() {
        Labels d = skewed();
        Splits.TrainValidation s = Splits.trainValidation(d, 0.2, 7);
        assertArrayEquals(new int[] {20, 6, 1, 0}, countByClass(d, s.validation()));
        assertArrayEquals(new int[] {80, 24, 1, 1}, countByClass(d, s.train()));
        Set<Integer> all = new HashSet<>();
        Arrays.stream(s.train()).forEach(all::add);
        Arrays.stream(s.validation()).forEach(all::add);
        assertEquals(133, all.size());
        assertEquals(133, s.train().length + s.validation().length);
        int[] sorted = s.train().clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, s.train());
        assertTrue(s.description().contains("fraction 0.2, seed 7, 106 train / 27 validation"), s.description());
    }

    @Test
    void splitIsDeterministicForASeedAndVariesWithIt() {
        Labels d = skewed();
        assertEquals(Splits.trainValidation(d, 0.1, 42), Splits.trainValidation(d, 0.1, 42));
        assertNotEquals(Arrays.toString(Splits.trainValidation(d, 0.1, 42).validation()),
                Arrays.toString(Splits.trainValidation(d, 0.1, 43).validation()));
    }

    @Test
    void tinyClassesKeepOneSampleOnEachSide() {
        Labels d = new Labels(2, 0, 0, 1, 1, 1);
        Splits.TrainValidation s = Splits.trainValidation(d, 0.01, 1);
        assertArrayEquals(new int[] {1, 1}, countByClass(d, s.validation()));
        Splits.TrainValidation half = Splits.trainValidation(d, 0.5, 1);
        assertArrayEquals(new int[] {1, 1}, countByClass(d, half.train())); // 3 * 0.5 rounds to 2 validation, 1 train
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(d, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(d, 0.6, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.trainValidation(d, Double.NaN, 1));
    }

    @Test
    void subsetIsSpreadOverClassesAndDeterministic() {
        Labels d = skewed();
        Splits.TrainValidation s = Splits.trainValidation(d, 0.2, 7);
        int[] subset = Splits.stratifiedSubset(d, s.train(), 10, 3);
        assertEquals(10, subset.length);
        assertArrayEquals(new int[] {4, 4, 1, 1}, countByClass(d, subset));
        assertArrayEquals(subset, Splits.stratifiedSubset(d, s.train(), 10, 3));
        Set<Integer> train = new HashSet<>();
        Arrays.stream(s.train()).forEach(train::add);
        Arrays.stream(subset).forEach(i -> assertTrue(train.contains(i)));
        int[] all = Splits.stratifiedSubset(d, new int[] {5, 1, 3}, 10, 3);
        assertArrayEquals(new int[] {1, 3, 5}, all);
    }
}

package dev.kompakt.search.stopping;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HyperbandStopperTest {
    private static final Objective LOSS = Objective.minimize("loss");

    @Test
    void bracketsHaveIncreasingEarlyStoppingRatesAndOptunasBudgets() {
        HyperbandStopper hb = new HyperbandStopper(LOSS, 1, 27, 3);
        assertEquals(4, hb.brackets().size(), "floor(log3(27 / 1)) + 1");
        for (int i = 0; i < 4; i++) {
            AshaStopper b = hb.brackets().get(i);
            assertEquals(i, b.minEarlyStoppingRate());
            assertEquals(1, b.minResource());
            assertEquals(3, b.reductionFactor());
        }
        assertEquals(27L, hb.brackets().get(3).rungStep(0), "the last bracket judges at max resource only");
        // ceil(4 / (s' + 1)) * 3^s' with s' = 3, 2, 1, 0
        assertEquals(List.of(27L, 18L, 6L, 4L), IntStream.range(0, 4).mapToObj(hb::budget).toList());
        assertEquals(3, new HyperbandStopper(LOSS, 1, 26, 3).brackets().size());
        assertEquals(1, new HyperbandStopper(LOSS, 5, 5, 3).brackets().size());
    }

    @Test
    void bracketsAreDeterministicAndFollowTheBudgets() {
        HyperbandStopper hb = new HyperbandStopper(LOSS, 1, 27, 3);
        HyperbandStopper again = new HyperbandStopper(LOSS, 1, 27, 3);
        int n = 55_000;
        int[] counts = new int[4];
        for (int t = 0; t < n; t++) {
            int b = hb.bracketOf(t);
            assertEquals(b, again.bracketOf(t));
            counts[b]++;
        }
        long[] budgets = {27, 18, 6, 4};
        for (int b = 0; b < 4; b++) {
            double expected = n * budgets[b] / 55.0;
            assertEquals(expected, counts[b], 5 * Math.sqrt(expected), "bracket " + b + " got " + counts[b]);
        }
    }

    /** The first trial numbers (from 0) that fall in each bracket. */
    private static List<List<Integer>> numbersByBracket(HyperbandStopper hb, int perBracket) {
        List<List<Integer>> byBracket = new ArrayList<>();
        for (int b = 0; b < hb.brackets().size(); b++) {
            byBracket.add(new ArrayList<>());
        }
        for (int t = 0; byBracket.stream().anyMatch(l -> l.size() < perBracket); t++) {
            List<Integer> l = byBracket.get(hb.bracketOf(t));
            if (l.size() < perBracket) {
                l.add(t);
            }
        }
        return byBracket;
    }

    @Test
    void aTrialCompetesOnlyWithinItsBracket() {
        HyperbandStopper hb = new HyperbandStopper(LOSS, 1, 9, 3); // brackets with first rungs at 1, 3, 9
        List<List<Integer>> numbers = numbersByBracket(hb, 4);
        int judged = numbers.get(0).get(0);
        Trial bad = Curves.running(judged, "loss", 5, 5);
        List<Trial> otherBracket = numbers.get(1).stream().map(n -> Curves.running(n, "loss", 0, 0.1)).toList();
        assertFalse(hb.shouldStop(Curves.context(bad, otherBracket)), "better trials of bracket 1 do not count in bracket 0");
        List<Trial> sameBracket = numbers.get(0).subList(1, 4).stream().map(n -> Curves.running(n, "loss", 0, 0.1)).toList();
        assertTrue(hb.shouldStop(Curves.context(bad, sameBracket)), "bracket 0 judges at step 1 against its own trials");
    }

    @Test
    void aLaterBracketJudgesOnlyAtItsFirstRung() {
        HyperbandStopper hb = new HyperbandStopper(LOSS, 1, 9, 3);
        List<List<Integer>> numbers = numbersByBracket(hb, 4);
        int judged = numbers.get(1).get(0);
        Trial bad = Curves.running(judged, "loss", 5, 5, 5, 5);
        List<Trial> better = numbers.get(1).subList(1, 4).stream().map(n -> Curves.running(n, "loss", 0, 0, 0, 0.1)).toList();
        assertFalse(hb.shouldStop(Curves.context(Curves.upTo(bad, 2), better)), "bracket 1 does not judge at step 1");
        assertTrue(hb.shouldStop(Curves.context(bad, better)), "bracket 1 judges at step 3");
        int last = numbers.get(2).get(0);
        Trial worst = Curves.running(last, "loss", 5, 5, 5, 5);
        List<Trial> betterInLast = numbers.get(2).subList(1, 4).stream().map(n -> Curves.running(n, "loss", 0, 0, 0, 0.1)).toList();
        assertFalse(hb.shouldStop(Curves.context(worst, betterInLast)), "bracket 2 judges only at step 9");
    }

    @Test
    void invalidSettingsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HyperbandStopper(LOSS, 10, 9, 3));
        assertTrue(e.getMessage().contains("max resource 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HyperbandStopper(LOSS, 0, 9, 3));
        assertThrows(IllegalArgumentException.class, () -> new HyperbandStopper(LOSS, 1, 9, 1));
        assertThrows(NullPointerException.class, () -> new HyperbandStopper(null, 1, 9, 3));
    }
}

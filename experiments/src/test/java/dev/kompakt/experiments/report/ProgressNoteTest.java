package dev.kompakt.experiments.report;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.ParetoFront;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressNoteTest {
    private static final Instant T0 = Instant.parse("2026-12-07T09:10:03.456Z");
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size_bytes"));

    private static Trial trial(int n, TrialState state) {
        Map<String, Double> metrics = state == TrialState.COMPLETE ? Map.of("accuracy", 0.8 + n / 100.0, "size_bytes", 1000.0 - n) : Map.of();
        return new Trial(n, state, new Assignment(Map.of("bits", 8)), metrics, state == TrialState.FAILED ? "boom" : null, "w", T0,
                state == TrialState.RUNNING ? null : T0.plusSeconds(9));
    }

    @Test
    void countsFinishedAndAskedTrials() {
        List<Trial> trials = List.of(trial(0, TrialState.COMPLETE), trial(1, TrialState.FAILED), trial(2, TrialState.RUNNING),
                trial(3, TrialState.COMPLETE), trial(4, TrialState.RUNNING));
        ProgressNote note = ProgressNote.of(trials, 30, 0);
        assertEquals(3, note.done());
        assertEquals(5, note.asked());
        assertEquals(30, note.budget());
        assertTrue(note.text().startsWith("3 of 30 trials done, 5 asked (budget: 30 trials); written "), note.text());

        ProgressNote timed = new ProgressNote(2, 4, 30, 480, T0);
        assertEquals("2 of 30 trials done, 4 asked (budget: 30 trials or 480 minutes); written 2026-12-07T09:10:03Z", timed.text());
        assertEquals("0 of 1 trials done, 0 asked (budget: 1 trials); written 2026-12-07T09:10:03Z",
                new ProgressNote(0, 0, 1, 0, T0).text());
    }

    @Test
    void theReportGetsOneBlockAfterItsBodyAndIsOtherwiseTheSame() {
        List<Trial> trials = List.of(trial(0, TrialState.COMPLETE), trial(1, TrialState.RUNNING));
        RunSummary run = new RunSummary("live <run>", OBJECTIVES, List.of(), trials, ParetoFront.of(trials, OBJECTIVES, List.of()),
                Map.of("accuracy", 0.9, "size_bytes", 2000.0), Map.of("seed", "1"));
        String page = ReportWriter.render(run);
        assertFalse(ProgressNote.isIn(page), "a report as rendered is a final one");

        ProgressNote note = new ProgressNote(1, 2, 4, 0, T0);
        String live = note.insertInto(page);
        assertTrue(ProgressNote.isIn(live));
        assertEquals(page, live.replace(note.html(), "").replaceFirst("<body>\n\n", "<body>\n"), "only the block was added");
        int body = live.indexOf("<body>");
        assertEquals(body + "<body>\n".length(), live.indexOf("<div id=\"" + ProgressNote.ID + "\""), "right after <body>");
        assertTrue(note.html().contains("<b>Search in progress:</b> 1 of 4 trials done, 2 asked (budget: 4 trials); written "
                + "2026-12-07T09:10:03Z."), note.html());
        assertFalse(note.html().contains("<script") || note.html().contains("http://") || note.html().contains("https://"),
                "the note adds no script and loads nothing: the page still opens from disk");
        assertEquals("<html><BODY class=\"x\">\n" + note.html() + "</BODY></html>", note.insertInto("<html><BODY class=\"x\"></BODY></html>"));
    }

    @Test
    void refusesWhatItCannotShow() {
        ProgressNote note = new ProgressNote(0, 0, 4, 0, T0);
        var noBody = assertThrows(IllegalArgumentException.class, () -> note.insertInto("<html><p>x</p></html>"));
        assertEquals("the report has no <body> tag to put the progress note after", noBody.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ProgressNote(3, 2, 4, 0, T0));
        assertThrows(IllegalArgumentException.class, () -> new ProgressNote(0, 0, 0, 0, T0));
        assertThrows(IllegalArgumentException.class, () -> new ProgressNote(0, 0, 4, Double.NaN, T0));
    }
}

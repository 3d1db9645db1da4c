package dev.kompakt.experiments.report;

import dev.kompakt.search.Trial;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a report written while its run is in progress says about that: how many trials are done, how many were asked, the
 * budget, and when the page was written. It is one block inserted right after the page's {@code <body>} tag (the page
 * {@link ReportWriter} renders stays as it is, and this depends on nothing else of it; a final report has no such block),
 * with its own inline style and no script, so the file still opens from disk with no network.
 *
 * @param done       finished trials (complete, failed or stopped; not those interrupted, which a resume runs again)
 * @param asked      trials asked so far, those in flight included
 * @param budget     the spec's {@code budget.trials}
 * @param maxMinutes the spec's {@code budget.maxMinutes}, 0 when the search has no wall-time limit
 * @param written    when the page was rendered
 */
public record ProgressNote(int done, int asked, int budget, double maxMinutes, Instant written) {
    /** The id of the block: a page that has it was written while its run was in progress. */
    public static final String ID = "kompakt-in-progress";

    private static final Pattern BODY = Pattern.compile("<body\\b[^>]*>", Pattern.CASE_INSENSITIVE);

    public ProgressNote {
        if (done < 0 || asked < done || budget < 1 || !(maxMinutes >= 0)) {
            throw new IllegalArgumentException("progress: done " + done + ", asked " + asked + ", budget " + budget
                    + ", maxMinutes " + maxMinutes);
        }
        written = written.truncatedTo(ChronoUnit.SECONDS);
    }

    /** The progress of {@code trials} (every trial asked so far, in any state), written now. */
    public static ProgressNote of(List<Trial> trials, int budget, double maxMinutes) {
        int done = (int) trials.stream().filter(t -> t.state().isFinished()).count();
        return new ProgressNote(done, trials.size(), budget, maxMinutes, Instant.now());
    }

    /** Whether {@code page} was written while its run was in progress. */
    public static boolean isIn(String page) {
        return page.contains("id=\"" + ID + "\"");
    }

    /** One line of plain text, e.g. "2 of 30 trials done, 4 asked (budget: 30 trials); written 2026-12-07T09:10:03Z". */
    public String text() {
        String limit = maxMinutes > 0 ? " or " + java.math.BigDecimal.valueOf(maxMinutes).stripTrailingZeros().toPlainString() + " minutes" : "";
        return String.format(Locale.ROOT, "%d of %d trials done, %d asked (budget: %d trials%s); written %s", done, budget, asked, budget,
                limit, written);
    }

    /** The block, as HTML. */
    public String html() {
        StringBuilder sb = new StringBuilder("<div id=\"").append(ID).append("\" role=\"status\" style=\"max-width:1212px;")
                .append("margin:16px auto 0;padding:10px 16px;background:#fffbeb;border:1px solid #fcd34d;border-radius:8px;")
                .append("font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2933\">")
                .append("<b>Search in progress:</b> ").append(escape(text()))
                .append(". The search rewrites this page as trials finish; reload it to see the latest.</div>\n");
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** {@code page} with the block right after its {@code <body>} tag. */
    public String insertInto(String page) {
        Matcher body = BODY.matcher(page);
        if (!body.find()) {
            throw new IllegalArgumentException("the report has no <body> tag to put the progress note after");
        }
        return page.substring(0, body.end()) + "\n" + html() + page.substring(body.end());
    }
}

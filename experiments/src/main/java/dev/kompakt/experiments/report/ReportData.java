package dev.kompakt.experiments.report;

import dev.kompakt.evaluator.Metrics;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Direction;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report's data, once, as one JSON object that the page's script renders (table, scatter plot, parallel
 * coordinates). Every string is escaped so that the JSON can sit inside a {@code <script type="application/json">}
 * element ({@code <}, {@code >}, {@code &} as {@code \u003c} ...). Layout, compact on purpose (a run of 10,000 trials):
 * <pre>
 * {"objectives": [{"m": metric, "dir": "max"|"min"}], "constraints": [{"m": metric, "max": bound}],
 *  "metrics": [{"m": name, "kind": "pct"|"pp"|"bytes"|"ratio"|"unit"|"plain", "unit": "ms", "dir": "max"|"min"|null}],
 *  "params": [numeric parameter names], "baseline": [one value per metric or null], "errors": [distinct failure texts],
 *  "trials": [[number, state, seconds, [one value per metric], plan in words, [one value per numeric parameter], note]]}
 * </pre>
 * {@code state}: {@code F} feasible and on the front, {@code f} feasible, {@code i} infeasible (complete), {@code x} failed,
 * {@code s} stopped, {@code n} interrupted, {@code r} running. {@code note}: for an infeasible trial the constraints it
 * breaks in words, for a failed one the index of its error in {@code errors}, else null. Values are rounded to float
 * precision (7 significant digits) unless they are integers; a missing or non-finite value is null.
 */
final class ReportData {
    private ReportData() {
    }

    /** The metrics the page can show: objectives, constraint metrics, then every registered metric some trial reports. */
    static List<String> metricColumns(RunSummary run) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        run.objectives().forEach(o -> out.add(o.metric()));
        run.constraints().forEach(c -> out.add(c.metric()));
        TreeSet<String> reported = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        for (Trial t : run.trials()) {
            for (String m : t.metrics().keySet()) {
                if (seen.add(m) && Metrics.of(m).isPresent()) {
                    reported.add(m);
                }
            }
        }
        out.addAll(reported);
        return new ArrayList<>(out);
    }

    /** Parameters whose every value is a number (not a boolean) and that take at least two values: axes of the parallel plot. */
    static List<String> numericParams(List<Trial> trials) {
        Map<String, Set<Double>> values = new LinkedHashMap<>();
        Set<String> notNumeric = new HashSet<>();
        for (Trial t : trials) {
            for (Map.Entry<String, Object> e : t.assignment().values().entrySet()) {
                if (notNumeric.contains(e.getKey())) {
                    continue;
                }
                if (e.getValue() instanceof Number n && !(e.getValue() instanceof Boolean) && Double.isFinite(n.doubleValue())) {
                    Set<Double> s = values.computeIfAbsent(e.getKey(), k -> new HashSet<>());
                    if (s.size() < 2) {
                        s.add(n.doubleValue());
                    }
                } else {
                    notNumeric.add(e.getKey());
                    values.remove(e.getKey());
                }
            }
        }
        List<String> out = new ArrayList<>();
        values.forEach((k, s) -> {
            if (s.size() >= 2) {
                out.add(k);
            }
        });
        return out;
    }

    static char state(Trial t, Set<Integer> front, List<Constraint> constraints) {
        return switch (t.state()) {
            case COMPLETE -> front.contains(t.number()) ? 'F' : t.violation(constraints) > 0 ? 'i' : 'f';
            case FAILED -> 'x';
            case STOPPED -> 's';
            case INTERRUPTED -> 'n';
            case RUNNING -> 'r';
        };
    }

    /** The constraints {@code t} breaks, e.g. {@code accuracy_drop = 5.50 pp > 0.05 (by 0.50 pp)}; empty when none. */
    static String broken(Trial t, List<Constraint> constraints) {
        List<String> out = new ArrayList<>();
        for (Constraint c : constraints) {
            Double v = t.metric(c.metric());
            if (c.violation(v) <= 0) {
                continue;
            }
            if (v == null || !Double.isFinite(v)) {
                out.add(c.metric() + " not reported (must be <= " + ReportWriter.plain(c.max()) + ")");
                continue;
            }
            ReportWriter.Metric k = ReportWriter.Metric.of(c.metric());
            out.add(c.metric() + " = " + k.text(v) + " > " + k.text(c.max()) + " (by " + k.text(v - c.max()) + ")");
        }
        return String.join("; ", out);
    }

    /** The first line of a failure, the key its cause is grouped by. */
    static String firstLine(String error) {
        if (error == null || error.isBlank()) {
            return "(no error recorded)";
        }
        String s = error.strip();
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    static String json(RunSummary run) {
        List<String> metrics = metricColumns(run);
        List<String> params = numericParams(run.trials());
        Set<Integer> front = new HashSet<>();
        run.front().forEach(t -> front.add(t.number()));
        StringBuilder sb = new StringBuilder(4096 + run.trials().size() * 260);
        sb.append("{\"objectives\":[");
        for (int i = 0; i < run.objectives().size(); i++) {
            Objective o = run.objectives().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"m\":");
            str(sb, o.metric()).append(",\"dir\":\"").append(o.direction() == Direction.MAXIMIZE ? "max" : "min").append("\"}");
        }
        sb.append("],\n\"constraints\":[");
        for (int i = 0; i < run.constraints().size(); i++) {
            Constraint c = run.constraints().get(i);
            sb.append(i == 0 ? "" : ",").append("{\"m\":");
            str(sb, c.metric()).append(",\"max\":");
            num(sb, c.max()).append('}');
        }
        sb.append("],\n\"metrics\":[");
        Map<String, Direction> objectiveDirections = new HashMap<>();
        run.objectives().forEach(o -> objectiveDirections.put(o.metric(), o.direction()));
        for (int i = 0; i < metrics.size(); i++) {
            String m = metrics.get(i);
            ReportWriter.Metric k = ReportWriter.Metric.of(m);
            Direction d = objectiveDirections.containsKey(m) ? objectiveDirections.get(m)
                    : Metrics.of(m).map(Metrics.Metric::better).orElse(null);
            sb.append(i == 0 ? "" : ",").append("{\"m\":");
            str(sb, m).append(",\"kind\":\"").append(k.jsKind()).append("\",\"unit\":");
            str(sb, k.unit()).append(",\"dir\":").append(d == null ? "null" : d == Direction.MAXIMIZE ? "\"max\"" : "\"min\"").append('}');
        }
        sb.append("],\n\"params\":[");
        for (int i = 0; i < params.size(); i++) {
            str(sb.append(i == 0 ? "" : ","), params.get(i));
        }
        sb.append("],\n\"baseline\":[");
        for (int i = 0; i < metrics.size(); i++) {
            num(sb.append(i == 0 ? "" : ","), run.baseline().get(metrics.get(i)));
        }
        // distinct failure texts, each once
        Map<String, Integer> errorIndex = new LinkedHashMap<>();
        for (Trial t : run.trials()) {
            if (t.state() == TrialState.FAILED) {
                errorIndex.putIfAbsent(t.error() == null ? "" : cut(t.error()), errorIndex.size());
            }
        }
        sb.append("],\n\"errors\":[");
        int e = 0;
        for (String text : errorIndex.keySet()) {
            str(sb.append(e++ == 0 ? "" : ",\n"), text);
        }
        sb.append("],\n\"trials\":[\n");
        for (int ti = 0; ti < run.trials().size(); ti++) {
            Trial t = run.trials().get(ti);
            char state = state(t, front, run.constraints());
            sb.append(ti == 0 ? "[" : ",\n[").append(t.number()).append(",\"").append(state).append("\",");
            double seconds = t.durationSeconds();
            if (Double.isFinite(seconds)) {
                sb.append(Math.round(seconds * 10) / 10.0);
            } else {
                sb.append("null");
            }
            sb.append(",[");
            for (int i = 0; i < metrics.size(); i++) {
                num(sb.append(i == 0 ? "" : ","), t.metric(metrics.get(i)));
            }
            sb.append("],");
            str(sb, PlanWords.of(t.assignment())).append(",[");
            for (int i = 0; i < params.size(); i++) {
                Object v = t.assignment().values().get(params.get(i));
                num(sb.append(i == 0 ? "" : ","), v instanceof Number n ? n.doubleValue() : null);
            }
            sb.append("],");
            if (state == 'i') {
                str(sb, broken(t, run.constraints()));
            } else if (state == 'x') {
                sb.append(errorIndex.get(t.error() == null ? "" : cut(t.error())));
            } else {
                sb.append("null");
            }
            sb.append(']');
        }
        sb.append("]}");
        return sb.toString();
    }

    private static String cut(String error) {
        return error.length() > ReportWriter.MAX_ERROR_CHARS ? error.substring(0, ReportWriter.MAX_ERROR_CHARS) + "\n\u2026 ("
                + ReportWriter.grouped(error.length() - ReportWriter.MAX_ERROR_CHARS) + " more characters)" : error;
    }

    /** A number: integers exactly, others at float precision; null when missing or not finite. */
    static StringBuilder num(StringBuilder sb, Double v) {
        if (v == null || !Double.isFinite(v)) {
            return sb.append("null");
        }
        double d = v;
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return sb.append((long) d);
        }
        double a = Math.abs(d);
        if (a < 1e30 && a > 1e-30) {
            return sb.append(Float.toString((float) d));
        }
        return sb.append(Double.toString(d));
    }

    /** A JSON string that is safe inside a script element. */
    static StringBuilder str(StringBuilder sb, String s) {
        sb.append('"');
        if (s != null) {
            for (int i = 0, n = s.length(); i < n; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    case '\r' -> sb.append("\\r");
                    case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
        }
        return sb.append('"');
    }
}

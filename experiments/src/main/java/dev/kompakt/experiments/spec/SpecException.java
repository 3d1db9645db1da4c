package dev.kompakt.experiments.spec;

import java.util.List;

/** A spec with one or more problems; each problem names the file and the field path. */
public final class SpecException extends RuntimeException {
    private final String source;
    private final List<String> problems;

    public SpecException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ":\n  - " + String.join("\n  - ", problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or field) the problems are about. */
    public String source() {
        return source;
    }

    public List<String> problems() {
        return problems;
    }
}

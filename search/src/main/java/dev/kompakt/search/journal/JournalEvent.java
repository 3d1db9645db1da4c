package dev.kompakt.search.journal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.kompakt.search.TrialState;

import java.util.Map;

/**
 * One line of a study's append-only journal. Types are named explicitly ({@code "event": "asked"}), never by
 * class name, so the file format survives refactoring. Times are ISO-8601 instants.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
@JsonSubTypes({
        @JsonSubTypes.Type(value = JournalEvent.Started.class, name = "started"),
        @JsonSubTypes.Type(value = JournalEvent.Asked.class, name = "asked"),
        @JsonSubTypes.Type(value = JournalEvent.Reported.class, name = "reported"),
        @JsonSubTypes.Type(value = JournalEvent.Finished.class, name = "finished")
})
public sealed interface JournalEvent permits JournalEvent.Started, JournalEvent.Asked, JournalEvent.Reported, JournalEvent.Finished {

    /** First line: which study this journal belongs to. */
    record Started(String study, String specSha256, long seed, String time) implements JournalEvent {
    }

    /** A trial was created with these parameter values. */
    record Asked(int trial, Map<String, Object> params, String time) implements JournalEvent {
    }

    /**
     * A running trial reported intermediate values at a fidelity step (e.g. an epoch), for early stopping.
     * Journals written before this event existed simply have none.
     */
    record Reported(int trial, int step, Map<String, Double> values, String time) implements JournalEvent {
    }

    /** A trial reached a final state. */
    record Finished(int trial, TrialState state, Map<String, Double> metrics, String error, String worker, String time)
            implements JournalEvent {
    }
}

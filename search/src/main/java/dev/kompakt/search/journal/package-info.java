/**
 * The study's append-only JSON-lines journal: {@link dev.kompakt.search.journal.JournalEvent}, the file format (event
 * types are named, never written as class names, so the format does not depend on where the classes live), and
 * {@link dev.kompakt.search.journal.TrialJournal}, which appends, reads and replays it into trials. Uses the core types
 * of {@code dev.kompakt.search} and Jackson; knows nothing of samplers, stoppers or the Pareto front.
 */
package dev.kompakt.search.journal;

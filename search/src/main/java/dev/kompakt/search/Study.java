package dev.kompakt.search;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A multi-objective study with Optuna's ask/tell shape. {@link #ask()} creates a RUNNING trial with the
 * sampler's assignment; {@link #tell} finishes it. A COMPLETE result whose objectives are missing or NaN is
 * recorded as FAILED with that cause: a failed trial is data, and the study goes on. Every change is
 * appended to the journal, when there is one, before the method returns. All methods are synchronized.
 */
public final class Study {
    private final String name;
    private final SearchSpace space;
    private final List<Objective> objectives;
    private final List<Constraint> constraints;
    private final Sampler sampler;
    private final TrialJournal journal;
    private final Clock clock;
    private final List<Trial> trials = new ArrayList<>();

    public Study(String name, SearchSpace space, List<Objective> objectives, List<Constraint> constraints, Sampler sampler,
                 TrialJournal journal, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.space = Objects.requireNonNull(space, "space");
        this.objectives = List.copyOf(objectives);
        this.constraints = List.copyOf(constraints);
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.journal = journal;
        this.clock = clock == null ? Clock.systemUTC() : clock;
        if (this.objectives.isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one objective");
        }
        if (this.objectives.stream().map(Objective::metric).distinct().count() != this.objectives.size()) {
            throw new IllegalArgumentException("objectives name a metric twice: " + this.objectives);
        }
    }

    public Study(String name, SearchSpace space, List<Objective> objectives, List<Constraint> constraints, Sampler sampler) {
        this(name, space, objectives, constraints, sampler, null, null);
    }

    /** A new trial's number and assignment. */
    public record TrialRequest(int number, Assignment assignment) {
    }

    public synchronized TrialRequest ask() {
        int number = trials.size();
        Assignment assignment = sampler.sample(new Sampler.Context(space, objectives, constraints, trials, number));
        if (!space.contains(assignment)) {
            throw new IllegalStateException("sampler " + sampler.getClass().getSimpleName() + " proposed " + assignment.values()
                    + ", which is outside the search space");
        }
        Instant now = clock.instant();
        trials.add(Trial.running(number, assignment, now));
        if (journal != null) {
            journal.append(new JournalEvent.Asked(number, assignment.values(), now.toString()));
        }
        return new TrialRequest(number, assignment);
    }

    public synchronized Trial tell(int number, TrialResult result) {
        if (number < 0 || number >= trials.size()) {
            throw new IllegalArgumentException("study '" + name + "' has no trial " + number);
        }
        Trial running = trials.get(number);
        if (running.state() != TrialState.RUNNING) {
            throw new IllegalStateException("trial " + number + " is already " + running.state());
        }
        TrialResult checked = checkObjectives(result);
        Instant now = clock.instant();
        Trial done = new Trial(number, checked.state(), running.assignment(), checked.metrics(), checked.error(), checked.worker(),
                running.started(), now);
        trials.set(number, done);
        if (journal != null) {
            journal.append(new JournalEvent.Finished(number, done.state(), done.metrics(), done.error(), done.worker(), now.toString()));
        }
        return done;
    }

    private TrialResult checkObjectives(TrialResult result) {
        if (result.state() != TrialState.COMPLETE) {
            return result;
        }
        for (Objective o : objectives) {
            Double v = result.metrics().get(o.metric());
            if (v == null || v.isNaN() || v.isInfinite()) {
                Map<String, Double> finite = new LinkedHashMap<>();
                result.metrics().forEach((k, x) -> {
                    if (x != null && Double.isFinite(x)) {
                        finite.put(k, x);
                    }
                });
                String why = v == null ? "was not reported" : "is " + v;
                return new TrialResult(TrialState.FAILED, finite, "objective '" + o.metric() + "' " + why, result.worker());
            }
        }
        return result;
    }

    /** Restores a trial from a journal replay without consulting the sampler. */
    public synchronized void restore(Trial trial) {
        if (trial.number() != trials.size()) {
            throw new IllegalArgumentException("journal trial " + trial.number() + " out of order; expected " + trials.size());
        }
        trials.add(trial);
    }

    public synchronized List<Trial> trials() {
        return List.copyOf(trials);
    }

    public synchronized Optional<Trial> trial(int number) {
        return number >= 0 && number < trials.size() ? Optional.of(trials.get(number)) : Optional.empty();
    }

    public synchronized List<Trial> paretoFront() {
        return ParetoFront.of(trials, objectives, constraints);
    }

    public synchronized long count(TrialState state) {
        return trials.stream().filter(t -> t.state() == state).count();
    }

    public String name() {
        return name;
    }

    public SearchSpace space() {
        return space;
    }

    public List<Objective> objectives() {
        return objectives;
    }

    public List<Constraint> constraints() {
        return constraints;
    }
}

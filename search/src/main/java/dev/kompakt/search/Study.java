package dev.kompakt.search;

import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.pareto.ParetoFront;
import dev.kompakt.search.sampler.Sampler;
import dev.kompakt.search.stopping.EarlyStopper;
import dev.kompakt.search.stopping.NeverStop;

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
 *
 * <h2>Early stopping</h2>
 * A trial that trains in fidelity steps (epochs) reports its metrics after each one, and the study's
 * {@link EarlyStopper} decides, from all trials' learning curves, whether it is worth going on:
 * <pre>{@code
 * Study.TrialRequest r = study.ask();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     Map<String, Double> values = trainOneEpochAndMeasure(r.assignment());
 *     study.report(r.number(), epoch, values);
 *     if (study.shouldStop(r.number())) {
 *         study.tell(r.number(), TrialResult.stopped(values, worker));   // STOPPED: not a failure
 *         return;
 *     }
 * }
 * study.tell(r.number(), TrialResult.complete(finalMetrics, worker));
 * }</pre>
 * Reports are journaled like every other change, so a replayed study has the same learning curves and its
 * stopper makes the same decisions. A STOPPED trial keeps its curve and its last values, but is neither a
 * failure nor a candidate for the Pareto front. The default stopper, {@link NeverStop}, lets every trial finish.
 */
public final class Study {
    private final String name;
    private final SearchSpace space;
    private final List<Objective> objectives;
    private final List<Constraint> constraints;
    private final Sampler sampler;
    private final EarlyStopper stopper;
    private final TrialJournal journal;
    private final Clock clock;
    private final List<Trial> trials = new ArrayList<>();

    /**
     * A study whose trials may stop early by {@code stopper}'s rule. {@code journal} may be null (nothing is
     * recorded), and so may {@code clock} (the system clock in UTC).
     */
    public Study(String name, SearchSpace space, List<Objective> objectives, List<Constraint> constraints, Sampler sampler,
                 EarlyStopper stopper, TrialJournal journal, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.space = Objects.requireNonNull(space, "space");
        this.objectives = List.copyOf(objectives);
        this.constraints = List.copyOf(constraints);
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.stopper = Objects.requireNonNull(stopper, "stopper (use NeverStop.INSTANCE for none)");
        this.journal = journal;
        this.clock = clock == null ? Clock.systemUTC() : clock;
        if (this.objectives.isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one objective");
        }
        if (this.objectives.stream().map(Objective::metric).distinct().count() != this.objectives.size()) {
            throw new IllegalArgumentException("objectives name a metric twice: " + this.objectives);
        }
    }

    /** A study whose trials never stop early. */
    public Study(String name, SearchSpace space, List<Objective> objectives, List<Constraint> constraints, Sampler sampler,
                 TrialJournal journal, Clock clock) {
        this(name, space, objectives, constraints, sampler, NeverStop.INSTANCE, journal, clock);
    }

    public Study(String name, SearchSpace space, List<Objective> objectives, List<Constraint> constraints, Sampler sampler) {
        this(name, space, objectives, constraints, sampler, NeverStop.INSTANCE, null, null);
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

    /**
     * Records the values a RUNNING trial measured at fidelity step {@code step} (e.g. the epoch just finished).
     * Steps start at 0 and strictly increase; values may be NaN (a diverged loss is data), never null.
     *
     * @return the trial with the new step
     */
    public synchronized Trial report(int number, int step, Map<String, Double> values) {
        Trial running = existing(number);
        if (running.state() != TrialState.RUNNING) {
            throw new IllegalStateException("trial " + number + " is " + running.state() + "; only a RUNNING trial can report");
        }
        if (step < 0) {
            throw new IllegalArgumentException("trial " + number + " reported step " + step + "; steps must be >= 0");
        }
        if (running.lastStep().isPresent() && step <= running.lastStep().getAsInt()) {
            throw new IllegalArgumentException("trial " + number + " reported step " + step + " after step "
                    + running.lastStep().getAsInt() + "; steps must increase");
        }
        Objects.requireNonNull(values, "values");
        values.forEach((metric, v) -> {
            if (metric == null || metric.isBlank() || v == null) {
                throw new IllegalArgumentException("trial " + number + " reported " + metric + " = " + v + " at step " + step
                        + "; every value needs a metric name and a number");
            }
        });
        Trial updated = running.withIntermediate(step, values);
        trials.set(number, updated);
        if (journal != null) {
            journal.append(new JournalEvent.Reported(number, step, updated.lastReported(), clock.instant().toString()));
        }
        return updated;
    }

    /**
     * Whether the study's {@link EarlyStopper} would stop this RUNNING trial, judged at its latest reported step.
     * A trial that reported nothing is never stopped. Asking records nothing: the caller tells the study
     * {@link TrialResult#stopped} when it does stop.
     */
    public synchronized boolean shouldStop(int number) {
        Trial running = existing(number);
        if (running.state() != TrialState.RUNNING) {
            throw new IllegalStateException("trial " + number + " is already " + running.state() + "; only a RUNNING trial can stop");
        }
        if (running.lastStep().isEmpty()) {
            return false;
        }
        return stopper.shouldStop(new EarlyStopper.Context(running, trials, objectives, constraints));
    }

    private Trial existing(int number) {
        if (number < 0 || number >= trials.size()) {
            throw new IllegalArgumentException("study '" + name + "' has no trial " + number);
        }
        return trials.get(number);
    }

    /**
     * Finishes a RUNNING trial, or one INTERRUPTED earlier and run again; the intermediate values it reported stay with
     * it. An INTERRUPTED result leaves it to be run again (by a resumed search).
     */
    public synchronized Trial tell(int number, TrialResult result) {
        Trial running = existing(number);
        if (running.state().isFinished()) {
            throw new IllegalStateException("trial " + number + " is already " + running.state());
        }
        TrialResult checked = checkObjectives(result);
        Instant now = clock.instant();
        Trial done = new Trial(number, checked.state(), running.assignment(), checked.metrics(), checked.error(), checked.worker(),
                running.started(), now, running.intermediateValues());
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

    public EarlyStopper stopper() {
        return stopper;
    }
}

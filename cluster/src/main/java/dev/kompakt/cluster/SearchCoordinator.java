package dev.kompakt.cluster;

import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The driver's coordinator: keeps up to {@code maxInFlight} trials running, tells the study each result as
 * soon as it arrives (no waiting for a batch), asks for the next trial, and reports progress. Trial
 * results come back as messages through {@code pipeToSelf}, so the study is only touched from this actor.
 * Completes {@code done} with all trials once {@code totalTrials} have finished (or, with a wall-time budget, once it
 * is spent and the trials in flight have finished), then stops. A study restored
 * from a journal continues: its RUNNING trials (in flight when the last process died) run again with their
 * recorded parameters, completed ones are never re-run, and new trials are asked up to {@code totalTrials}.
 */
public final class SearchCoordinator extends AbstractBehavior<SearchCoordinator.Command> {

    /** Messages this actor understands. */
    public sealed interface Command permits TrialDone, TrialCrashed, Resubmit, Heartbeat, TimedOut, Reported {
    }

    /**
     * A trial in flight finished epoch {@code report.epoch()} (see {@link EpochReportServer}); {@code stop} is completed
     * with the decision: true when the study's early stopper stops it (it is then recorded STOPPED and its job cancelled).
     */
    public record Reported(EpochReport report, CompletableFuture<Boolean> stop) implements Command {
    }

    /** The {@link EpochReportServer.Decider} that asks the coordinator {@code coordinator}. */
    public static EpochReportServer.Decider decider(org.apache.pekko.actor.typed.ActorRef<Command> coordinator) {
        return report -> {
            CompletableFuture<Boolean> stop = new CompletableFuture<>();
            coordinator.tell(new Reported(report, stop));
            return stop;
        };
    }

    /** A trial's outcome came back from the executor. */
    public record TrialDone(int number, TrialOutcome outcome) implements Command {
    }

    /** The executor could not run a trial (lost executor, cancelled job). */
    public record TrialCrashed(int number, String cause) implements Command {
    }

    /** The back-off after an infrastructure fault is over: submit the trial again. */
    public record Resubmit(int number) implements Command {
    }

    /** Attempt {@code attempt} of trial {@code number} has run for the trial timeout. */
    public record TimedOut(int number, int attempt) implements Command {
    }

    /** Periodic progress report. */
    public record Heartbeat() implements Command {
    }

    /**
     * Execution parameters, separate from the study's algorithm parameters.
     *
     * @param maxWall      after this long (from the coordinator's start) no new trial is asked; trials in flight finish.
     *                     Null = no limit. A resumed search counts it from its own start.
     * @param retries      how many times a trial the infrastructure could not run (its stage failed: executors lost, job
     *                     cancelled) is submitted again before it is recorded INTERRUPTED, for a resumed search to run
     * @param retryBackoff the wait before the first retry; it doubles with each further one (executors lost together
     *                     usually come back together: a standalone worker relaunches them within seconds)
     * @param trialTimeout a trial still running this long after it was submitted is cancelled and recorded FAILED with
     *                     cause {@code timeout} (each attempt after an infrastructure fault has its own); null = no limit
     */
    public record Settings(int totalTrials, int maxInFlight, Duration heartbeat, Duration maxWall, int retries, Duration retryBackoff,
                           Duration trialTimeout) {
        /** No trial timeout. */
        public Settings(int totalTrials, int maxInFlight, Duration heartbeat, Duration maxWall, int retries, Duration retryBackoff) {
            this(totalTrials, maxInFlight, heartbeat, maxWall, retries, retryBackoff, null);
        }

        /** Two retries after 15 s and 30 s. */
        public static final int DEFAULT_RETRIES = 2;
        public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(15);

        /** Default retries. */
        public Settings(int totalTrials, int maxInFlight, Duration heartbeat, Duration maxWall) {
            this(totalTrials, maxInFlight, heartbeat, maxWall, DEFAULT_RETRIES, DEFAULT_BACKOFF);
        }

        /** No wall-time limit, default retries. */
        public Settings(int totalTrials, int maxInFlight, Duration heartbeat) {
            this(totalTrials, maxInFlight, heartbeat, null);
        }

        public Settings {
            if (totalTrials < 1) {
                throw new IllegalArgumentException("totalTrials must be >= 1, got " + totalTrials);
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
            }
            if (retries < 0 || retryBackoff == null || retryBackoff.isNegative()) {
                throw new IllegalArgumentException("retries must be >= 0 and retryBackoff >= 0, got " + retries + ", " + retryBackoff);
            }
            if (trialTimeout != null && (trialTimeout.isZero() || trialTimeout.isNegative())) {
                throw new IllegalArgumentException("trialTimeout must be positive, got " + trialTimeout);
            }
        }
    }

    /** Callbacks for the console: each finished trial, and each heartbeat. Called on the actor's thread. */
    public interface Listener {
        void trialFinished(Trial trial, SearchProgress progress);

        void heartbeat(SearchProgress progress);

        /** A trial in flight reported an epoch ({@link Trial#lastStep()}, {@link Trial#lastReported()}); {@code stop}: it is stopped now. */
        default void trialReported(Trial trial, boolean stop) {
        }

        /** The infrastructure could not run trial {@code number} ({@code cause}); retry {@code attempt} of {@code retries} follows. */
        default void trialRetrying(int number, int attempt, int retries, Duration delay, String cause) {
        }
    }

    private final Study study;
    private final TrialExecutor executor;
    private final Function<Study.TrialRequest, TrialSpec> toSpec;
    private final Settings settings;
    private final Listener listener;
    private final CompletableFuture<List<Trial>> done;
    private final Instant start = Instant.now();
    private final int finishedAtStart;
    /** Trials that were RUNNING in a restored study (in flight when the process died): run again first. */
    private final java.util.ArrayDeque<Study.TrialRequest> pending = new java.util.ArrayDeque<>();
    /** What each trial in flight was submitted with, to submit it again after an infrastructure fault. */
    private final java.util.Map<Integer, TrialSpec> submitted = new java.util.HashMap<>();
    /** Infrastructure faults per trial in flight. */
    private final java.util.Map<Integer, Integer> faults = new java.util.HashMap<>();
    /** Submissions per trial in flight: a message of an earlier attempt (a late timeout) is ignored. */
    private final java.util.Map<Integer, Integer> attempts = new java.util.HashMap<>();
    private final TimerScheduler<Command> timers;
    /** The study's Pareto front, kept up to date per result (O(front), not a sort of every trial, per progress line). */
    private final dev.kompakt.search.pareto.IncrementalFront front;
    private int asked;
    private int inFlight;

    public static Behavior<Command> create(Study study, TrialExecutor executor, Function<Study.TrialRequest, TrialSpec> toSpec,
                                           Settings settings, Listener listener, CompletableFuture<List<Trial>> done) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new SearchCoordinator(ctx, timers, study, executor, toSpec, settings, listener, done)));
    }

    private SearchCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers, Study study, TrialExecutor executor,
                              Function<Study.TrialRequest, TrialSpec> toSpec, Settings settings, Listener listener,
                              CompletableFuture<List<Trial>> done) {
        super(context);
        this.study = study;
        this.executor = executor;
        this.toSpec = toSpec;
        this.settings = settings;
        this.listener = listener;
        this.done = done;
        this.timers = timers;
        this.asked = study.trials().size();
        this.finishedAtStart = (int) study.trials().stream().filter(t -> t.state().isFinished()).count();
        this.front = new dev.kompakt.search.pareto.IncrementalFront(study.objectives(), study.constraints());
        study.trials().forEach(front::add);
        study.trials().stream().filter(t -> !t.state().isFinished())
                .forEach(t -> pending.add(new Study.TrialRequest(t.number(), t.assignment())));
        if (settings.heartbeat() != null && !settings.heartbeat().isZero()) {
            timers.startTimerAtFixedRate(new Heartbeat(), settings.heartbeat());
        }
        fill();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(TrialDone.class, this::onDone)
                .onMessage(TrialCrashed.class, this::onCrashed)
                .onMessage(Resubmit.class, m -> {
                    submit(m.number());
                    return this;
                })
                .onMessage(TimedOut.class, this::onTimedOut)
                .onMessage(Reported.class, this::onReported)
                .onMessage(Heartbeat.class, m -> {
                    listener.heartbeat(progress());
                    return this;
                })
                .build();
    }

    private Behavior<Command> onDone(TrialDone m) {
        if (!submitted.containsKey(m.number())) {
            return this;   // the trial timed out: its cancelled run's outcome comes too late
        }
        TrialOutcome o = m.outcome();
        TrialResult result = o.ok() ? TrialResult.complete(o.metrics(), o.worker()) : new TrialResult(TrialState.FAILED, o.metrics(), o.error(), o.worker());
        return finish(m.number(), result);
    }

    /**
     * The infrastructure could not run the trial (the candidate's own failures come back as a failed outcome, never
     * here): submitted again after a back-off, keeping its slot, and once the retries are spent recorded INTERRUPTED
     * (not FAILED: nothing is known about the candidate), which a resumed search runs again.
     */
    private Behavior<Command> onCrashed(TrialCrashed m) {
        if (!submitted.containsKey(m.number())) {
            return this;   // the trial timed out and its job was cancelled: that is how it ends
        }
        timers.cancel("timeout-" + m.number());
        int attempt = faults.merge(m.number(), 1, Integer::sum);
        if (attempt <= settings.retries()) {
            Duration delay = settings.retryBackoff().multipliedBy(1L << (attempt - 1));
            listener.trialRetrying(m.number(), attempt, settings.retries(), delay, m.cause());
            timers.startSingleTimer("retry-" + m.number(), new Resubmit(m.number()), delay);
            return this;
        }
        return finish(m.number(), TrialResult.interrupted("the infrastructure could not run the trial (attempts: "
                + (settings.retries() + 1) + "): " + m.cause()));
    }

    /** The trial's attempt ran for the trial timeout: its job is cancelled and it is recorded FAILED (cause timeout). */
    private Behavior<Command> onTimedOut(TimedOut m) {
        if (!submitted.containsKey(m.number()) || attempts.getOrDefault(m.number(), 0) != m.attempt()) {
            return this;
        }
        executor.cancel(m.number());
        return finish(m.number(), new TrialResult(TrialState.FAILED, java.util.Map.of(), "timeout: still running after execution.trialTimeout ("
                + seconds(settings.trialTimeout()) + " s); its job was cancelled", null));
    }

    /**
     * An epoch report of a trial in flight: recorded with the study ({@link Study#report}, journaled), and judged by its
     * early stopper. A stopped trial is recorded STOPPED with the values of its last report and its job is cancelled (the
     * executor has the answer already and stops by itself; the cancel covers an answer that got lost). A report of a
     * trial the coordinator no longer waits for (stopped, timed out) is answered "stop". A report of an epoch the study
     * has already (a trial run again after a resume or an infrastructure retry repeats its first epochs) is not recorded
     * again, and the trial goes on: it is judged again once it passes its recorded curve.
     */
    private Behavior<Command> onReported(Reported m) {
        EpochReport r = m.report();
        if (!submitted.containsKey(r.trial())) {
            m.stop().complete(true);
            return this;
        }
        java.util.OptionalInt last = study.trial(r.trial()).orElseThrow().lastStep();
        if (last.isPresent() && r.epoch() <= last.getAsInt()) {
            m.stop().complete(false);
            return this;
        }
        boolean stop;
        try {
            study.report(r.trial(), r.epoch(), r.values());
            stop = r.epoch() < r.epochs() && study.shouldStop(r.trial());   // after its last epoch, stopping would save nothing
        } catch (RuntimeException e) {   // a malformed report (a null value): the trial goes on; its final result still counts
            getContext().getLog().warn("trial {}: epoch {} report not recorded: {}", r.trial(), r.epoch(), e.getMessage());
            m.stop().complete(false);
            return this;
        }
        m.stop().complete(stop);
        listener.trialReported(study.trial(r.trial()).orElseThrow(), stop);
        if (!stop) {
            return this;
        }
        executor.cancel(r.trial());
        return finish(r.trial(), TrialResult.stopped(r.values(), r.worker()));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private Behavior<Command> finish(int number, TrialResult result) {
        inFlight--;
        submitted.remove(number);
        faults.remove(number);
        attempts.remove(number);
        timers.cancel("timeout-" + number);
        Trial trial = study.tell(number, result);
        front.add(trial);
        listener.trialFinished(trial, progress());
        return fill();
    }

    /** Submits trials until {@code maxInFlight} run or the budget is used; stops when everything has finished. */
    private Behavior<Command> fill() {
        try {
            while (inFlight < settings.maxInFlight() && (!pending.isEmpty() || (asked < settings.totalTrials() && !outOfTime()))) {
                Study.TrialRequest request;
                if (pending.isEmpty()) {
                    request = study.ask();
                    asked++;
                } else {
                    request = pending.poll();
                }
                inFlight++;
                submitted.put(request.number(), toSpec.apply(request));
                submit(request.number());
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return Behaviors.stopped();
        }
        if (inFlight == 0 && pending.isEmpty() && (asked >= settings.totalTrials() || outOfTime())) {
            done.complete(study.trials());
            return Behaviors.stopped();
        }
        return this;
    }

    private void submit(int number) {
        int attempt = attempts.merge(number, 1, Integer::sum);
        if (settings.trialTimeout() != null) {
            timers.startSingleTimer("timeout-" + number, new TimedOut(number, attempt), settings.trialTimeout());
        }
        CompletionStage<TrialOutcome> stage;
        try {
            stage = executor.submit(submitted.get(number));
        } catch (RuntimeException e) { // e.g. Spark refused the job: the same as a failed stage
            stage = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(stage, (outcome, failure) ->
                failure == null ? new TrialDone(number, outcome) : new TrialCrashed(number, TrialResult.describe(failure)));
    }

    /** Whether the wall-time budget is spent (no new trials then). */
    private boolean outOfTime() {
        return settings.maxWall() != null && Duration.between(start, Instant.now()).compareTo(settings.maxWall()) >= 0;
    }

    private SearchProgress progress() {
        List<Trial> trials = study.trials();
        int finished = (int) trials.stream().filter(t -> t.state().isFinished()).count();
        int failed = (int) trials.stream().filter(t -> t.state() == TrialState.FAILED).count();
        int interrupted = (int) trials.stream().filter(t -> t.state() == TrialState.INTERRUPTED).count();
        Duration elapsed = Duration.between(start, Instant.now());
        int finishedHere = finished - finishedAtStart;
        Duration eta = null;
        if (finishedHere > 0) {
            eta = Duration.ofMillis(elapsed.toMillis() / finishedHere * (settings.totalTrials() - finished));
        }
        return new SearchProgress(settings.totalTrials(), finished, inFlight, failed, interrupted, front.size(), elapsed, eta,
                executor.executors());
    }

    /**
     * The console line of a finished trial: its number and state, its {@code accuracy}, {@code size_bytes} and
     * {@code onnx_bytes} where it reported them, its error if any, then the search's progress, e.g.
     * {@code trial 3 COMPLETE acc 0.8123 size 14,081 B onnx 15,360 B | trials 4/30 done, ...}.
     */
    static String trialLine(Trial trial, SearchProgress progress) {
        StringBuilder line = new StringBuilder("trial ").append(trial.number()).append(' ').append(trial.state());
        if (trial.state() == TrialState.STOPPED && trial.lastStep().isPresent()) {
            line.append(" after epoch ").append(trial.lastStep().getAsInt());
        }
        Double accuracy = trial.metric("accuracy");
        if (accuracy != null) {
            line.append(String.format(Locale.ROOT, " acc %.4f", accuracy));
        }
        appendBytes(line, " size ", trial.metric("size_bytes"));
        appendBytes(line, " onnx ", trial.metric("onnx_bytes"));
        if (trial.error() != null) {
            line.append(" (").append(trial.error()).append(')');
        }
        return line.append(" | ").append(progress.line()).toString();
    }

    private static void appendBytes(StringBuilder line, String label, Double bytes) {
        if (bytes != null && Double.isFinite(bytes)) {
            line.append(label).append(String.format(Locale.ROOT, "%,d B", Math.round(bytes)));
        }
    }

    /** Convenience for tests and the CLI: a listener that prints progress lines. */
    public static Listener printing(Consumer<String> out) {
        return new Listener() {
            @Override
            public void trialFinished(Trial trial, SearchProgress progress) {
                out.accept(trialLine(trial, progress));
            }

            @Override
            public void heartbeat(SearchProgress progress) {
                out.accept(progress.line());
            }

            @Override
            public void trialRetrying(int number, int attempt, int retries, Duration delay, String cause) {
                out.accept(String.format("trial %d: the infrastructure could not run it (%s); retry %d of %d in %d s", number, cause,
                        attempt, retries, delay.toSeconds()));
            }
        };
    }
}

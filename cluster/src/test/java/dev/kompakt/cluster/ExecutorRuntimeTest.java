package dev.kompakt.cluster;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorRuntimeTest {
    private static final TrialSpec SPEC = new TrialSpec(3, CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 10), 1);

    @Test
    void garbagePayloadGivesAFailedOutcomeNotAnException() {
        byte[][] garbage = {"not json".getBytes(), {1, 2, 3}, {4, 5}, {6}, {7}};
        TrialOutcome o = ExecutorRuntime.run("garbage-run-1", garbage, SPEC);
        assertFalse(o.ok());
        assertEquals(3, o.trialNumber());
        assertTrue(o.metrics().isEmpty());
        assertTrue(o.error().contains("cannot decode Header"), o.error());
        assertTrue(o.worker().startsWith("executor-driver@"), o.worker());
        assertTrue(o.seconds() >= 0);
    }

    @Test
    void wrongNumberOfPartsGivesAFailedOutcome() {
        TrialOutcome o = ExecutorRuntime.run("garbage-run-2", new byte[][] {{1}}, SPEC);
        assertFalse(o.ok());
        assertTrue(o.error().contains("java.lang.IllegalArgumentException: job payload has 1 parts, expected 5"), o.error());
        // a failure is not cached: the same run id fails again the same way instead of returning a half-built evaluator
        TrialOutcome again = ExecutorRuntime.run("garbage-run-2", new byte[][] {{1}}, SPEC);
        assertEquals(o.error(), again.error());
    }

    @Test
    void aTrialLeavesNoNd4jWorkspaceOnItsThread() {
        // training attaches workspaces to the task thread; Spark may retire that thread, so a trial must free them
        var config = org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder().initialSize(1 << 20).build();
        try (var ws = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "trial-like")) {
            org.nd4j.linalg.factory.Nd4j.create(1000);
        }
        assertFalse(org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread().isEmpty());
        ExecutorRuntime.run("garbage-run-3", new byte[][] {{1}}, SPEC);
        assertTrue(org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread().isEmpty(),
                "workspaces left on the thread after a trial");
    }
}

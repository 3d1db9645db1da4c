package dev.kompakt.strategies.architecture;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.plan.CompressionSpace;
import dev.kompakt.strategies.plan.Strategies;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.names;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NAS space: its conditional parameters, decoding (per stage and compound), composition with the student, and builds. */
class ArchitectureStrategyTest {
    static final ArchitectureStrategy.Range ALL = new ArchitectureStrategy.Range(List.of(Family.values()), 1, 3, List.of(0.5, 1.0),
            List.of(3, 5, 7), List.of(2, 4, 6), List.of(false, true), List.of(Act.RELU, Act.HARDSWISH), List.of(16, 28), null);

    @Test
    void spaceIsConditionalOnTheFamily() {
        SearchSpace space = Strategies.ARCHITECTURE.space(ALL);
        List<String> expected = new java.util.ArrayList<>(List.of("arch.family", "arch.activation", "arch.resolution"));
        for (int s = 1; s <= 3; s++) {
            expected.addAll(List.of("arch.s" + s + ".depth", "arch.s" + s + ".width", "arch.s" + s + ".kernel", "arch.s" + s + ".expansion",
                    "arch.s" + s + ".se"));
        }
        assertEquals(expected, names(space));
        Parameter.Condition built = space.parameter("arch.s2.kernel").activeIf().orElseThrow();
        assertEquals(new Parameter.Condition("arch.family", List.of("resnet", "mobilenet", "ghostnet", "shufflenet")), built);
        assertEquals(new Parameter.Condition("arch.family", List.of("mobilenet", "ghostnet")),
                space.parameter("arch.s2.expansion").activeIf().orElseThrow(), "no expansion ratio for ResNet blocks");
        assertEquals(List.of("arch.family"), names(Strategies.ARCHITECTURE.space(new ArchitectureStrategy.Range(List.of(Family.BASELINE), 1, 1,
                List.of(1.0), List.of(3), List.of(2), List.of(false), List.of(Act.RELU), List.of(), null))));
    }

    @Test
    void sampledAssignmentsDecodeToPlansOfTheirFamily() {
        Study study = study("arch", Strategies.ARCHITECTURE.space(ALL), 3);
        Set<Family> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            ArchitectureStrategy.Plan p = Strategies.ARCHITECTURE.decode(a);
            seen.add(p.family());
            assertEquals(a.getString("arch.family"), p.family().id());
            if (p.isBaseline()) {
                assertEquals(Strategies.ARCHITECTURE.identity(), p);
                assertFalse(a.has("arch.s1.depth"), a.toString());
                continue;
            }
            assertEquals(a.getInt("arch.resolution"), p.resolution());
            for (int s = 0; s < 3; s++) {
                String st = "arch.s" + (s + 1) + ".";
                assertEquals(a.getInt(st + "depth"), p.stages().get(s).depth());
                assertEquals(a.getDouble(st + "width"), p.stages().get(s).width());
                assertEquals(a.getInt(st + "kernel"), p.stages().get(s).kernel());
                assertEquals(p.family().expands() ? a.getInt(st + "expansion") : 1, p.stages().get(s).expansion());
                assertEquals(p.family().expands() && a.getBoolean(st + "se"), p.stages().get(s).se());
            }
        }
        assertEquals(Set.of(Family.values()), seen);
    }

    @Test
    void compoundScalingDerivesDepthWidthAndResolutionFromPhi() {
        ArchitectureStrategy.Range compound = new ArchitectureStrategy.Range(List.of(Family.MOBILENET), 1, 1, List.of(1.0), List.of(5),
                List.of(4), List.of(true), List.of(Act.HARDSWISH), List.of(), new ArchitectureStrategy.Compound(-1, 2));
        List<String> params = names(Strategies.ARCHITECTURE.space(compound));
        assertTrue(params.contains("arch.phi") && !params.contains("arch.s1.depth") && !params.contains("arch.resolution"), params.toString());
        ArchitectureStrategy.Plan p = Strategies.ARCHITECTURE.decode(assignment("arch.family", "mobilenet", "arch.activation", "hardswish",
                "arch.phi", 2.0, "arch.s1.kernel", 5, "arch.s2.kernel", 5, "arch.s3.kernel", 5, "arch.s1.expansion", 4, "arch.s2.expansion", 4,
                "arch.s3.expansion", 4, "arch.s1.se", true, "arch.s2.se", true, "arch.s3.se", true));
        // base depths 1, 2, 2 times 1.2^2 = 1.44; widths 1.1^2 = 1.21; resolution 28 x 1.15^2 = 37.03
        assertEquals(List.of(1, 3, 3), p.stages().stream().map(ArchitectureStrategy.Stage::depth).toList());
        assertEquals(1.21, p.stages().get(0).width(), 1e-12);
        assertEquals(20, Families.channels(Family.MOBILENET, 0, 1.21));   // 16 x 1.21 = 19.4, even
        assertEquals(37, p.inputSize(28, 28)[0]);
        assertEquals(56, p.inputSize(28, 42)[1], "the width scales with the height");
    }

    @Test
    void studentParametersApplyToTheBaselineFamilyOnly() {
        CompressionSpace.Ranges ranges = new CompressionSpace.Ranges(ALL, new StudentStrategy.Range(List.of(0.5, 1.0)), null, null, null, null);
        SearchSpace space = CompressionSpace.of(ranges);
        assertEquals(new Parameter.Condition("arch.family", List.of("baseline")), space.parameter("student.width").activeIf().orElseThrow());
        assertEquals("student.width", space.parameter("student.init").activeIf().orElseThrow().parent(), "nested conditions kept");
        assertRejects("the student strategy narrows the baseline's graph: with an architecture search it needs the baseline among the families",
                () -> new CompressionSpace.Ranges(new ArchitectureStrategy.Range(List.of(Family.RESNET), 1, 1, List.of(1.0), List.of(3), List.of(2),
                        List.of(false), List.of(Act.RELU), List.of(), null), new StudentStrategy.Range(List.of(0.5)), null, null, null, null));
        ArchitectureStrategy.Plan resnet = Strategies.ARCHITECTURE.decode(assignment("arch.family", "resnet", "arch.activation", "relu",
                "arch.resolution", 16, "arch.s1.depth", 1, "arch.s2.depth", 1, "arch.s3.depth", 1, "arch.s1.width", 0.5, "arch.s2.width", 0.5,
                "arch.s3.width", 0.5, "arch.s1.kernel", 3, "arch.s2.kernel", 3, "arch.s3.kernel", 3));
        assertRejects("a resnet network has its own widths: student width 0.5 narrows the baseline's graph only (architecture family baseline)",
                () -> CompressionPlan.identity().with(resnet).with(new StudentStrategy.Plan(0.5, null, null)));
        // every other strategy composes with a built family
        CompressionPlan plan = CompressionPlan.identity().with(resnet).with(new PruningStrategy.Plan(0.3, null, null));
        assertEquals("resnet relu 16px: s1 1x8 k3 | s2 1x16 k3 | s3 1x32 k3", plan.architecture().describe());
    }

    @Test
    void everyFamilyBuildsARunnableNetworkOfTheDataShape() {
        for (Family f : List.of(Family.RESNET, Family.MOBILENET, Family.GHOSTNET, Family.SHUFFLENET)) {
            ArchitectureStrategy.Plan plan = new ArchitectureStrategy.Plan(f, Act.HARDSWISH, List.of(new ArchitectureStrategy.Stage(2, 0.5, 5, 3, true),
                    new ArchitectureStrategy.Stage(1, 0.75, 7, 2, false), new ArchitectureStrategy.Stage(1, 1.0, 3, 4, true)), 0, 0);
            ComputationGraph net = Families.build(plan, 3, 12, 10, 7, 1);
            INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3 * 12 * 10);
            INDArray out = net.outputSingle(x);
            assertEquals(List.of(4L, 7L), List.of(out.size(0), out.size(1)), f.id());
            assertEquals(4.0, out.sumNumber().doubleValue(), 1e-4, f.id() + ": softmax rows");
            // saved and loaded as DL4J zips are (the channel shuffle vertex by its class name)
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try {
                org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, true);
                ComputationGraph back = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                        new java.io.ByteArrayInputStream(bytes.toByteArray()), true);
                assertEquals(out, back.outputSingle(x), f.id() + ": the same network after a round trip");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertRejects("ghostnet needs inputs of at least 8x8 (three stride-2 stages), got 6x28",
                () -> Families.build(new ArchitectureStrategy.Plan(Family.GHOSTNET, Act.RELU, List.of(new ArchitectureStrategy.Stage(1, 1, 3, 2, false),
                        new ArchitectureStrategy.Stage(1, 1, 3, 2, false), new ArchitectureStrategy.Stage(1, 1, 3, 2, false)), 0, 0), 1, 6, 28, 10, 1));
    }
}

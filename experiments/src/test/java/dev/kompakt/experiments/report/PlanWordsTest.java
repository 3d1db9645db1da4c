package dev.kompakt.experiments.report;

import dev.kompakt.search.Assignment;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.plan.Strategies;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanWordsTest {
    private static String words(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return PlanWords.of(new Assignment(m));
    }

    @Test
    void theBriefsExample() {
        assertEquals("width 0.75 (L1 channels), AGP to 45% sparsity, INT8 weights, KD T=4.7 a=0.74",
                words("student.width", 0.75, "student.init", "inherit", "student.criterion", "l1",
                        "prune.sparsity", 0.45, "prune.schedule", "agp",
                        "quant.weight_bits", 8,
                        "distill.enabled", true, "distill.temperature", 4.6823, "distill.alpha", 0.7412));
    }

    @Test
    void identityIsTheBaseline() {
        assertEquals("baseline (no compression)", words());
        assertEquals("baseline (no compression)", words("student.width", 1.0, "prune.sparsity", 0.0, "quant.weight_bits", 32,
                "distill.enabled", false, "distill.temperature", 3.0, "arch.family", "baseline"));
    }

    @Test
    void student() {
        assertEquals("width 0.5 (from scratch)", words("student.width", 0.5, "student.init", "scratch"));
        assertEquals("width 0.5 (Taylor channels)", words("student.width", 0.5, "student.init", "inherit", "student.criterion", "taylor"));
        assertEquals("width 0.25 (BN-scale channels)", words("student.width", 0.25, "student.criterion", "bn_scale"));
        assertEquals("width 0.625 (L2 channels)", words("student.width", 0.625, "student.criterion", "l2"));
        assertEquals("width 0.5 (random channels)", words("student.width", 0.5, "student.criterion", "random"));
    }

    @Test
    void pruningAndRegularization() {
        assertEquals("one-shot to 30.5% sparsity", words("prune.sparsity", 0.30512, "prune.schedule", "oneshot"));
        assertEquals("AGP to 80% sparsity (per layer by sensitivity)",
                words("prune.sparsity", 0.8, "prune.schedule", "agp", "prune.allocation", "sensitivity"));
        assertEquals("L1 penalty \u03bb=0.12", words("prune.regularization", "l1", "prune.regularization_strength", 0.1234));
        assertEquals("one-shot to 10% sparsity, group lasso \u03bb=18",
                words("prune.sparsity", 0.1, "prune.regularization", "group_lasso", "prune.regularization_strength", 18.3));
        assertEquals("baseline (no compression)", words("prune.regularization", "none"));
    }

    @Test
    void quantization() {
        assertEquals("INT4 weights (QAT, kl calibration, bias correction), INT8 activations",
                words("quant.weight_bits", 4, "quant.qat", true, "quant.calibration", "kl", "quant.bias_correction", true,
                        "quant.activation_bits", 8));
        // options of float weights do nothing and decode to their defaults
        assertEquals("baseline (no compression)", words("quant.weight_bits", 32, "quant.qat", true, "quant.bias_correction", true));
        assertEquals("float32 weights (percentile calibration), INT6 activations",
                words("quant.weight_bits", 32, "quant.calibration", "percentile", "quant.activation_bits", 6));
        assertEquals("mixed-precision weights conv1:INT8 dense:INT4 out:FP32 (mse calibration)",
                words("quant.weight_bits.conv1", 8, "quant.weight_bits.dense", 4, "quant.weight_bits.out", 32, "quant.calibration", "mse"));
    }

    @Test
    void distillationKinds() {
        assertEquals("relational KD T=2 a=0.5", words("distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 0.5,
                "distill.kind", "relation"));
        assertEquals("feature KD T=12 a=0.3", words("distill.enabled", true, "distill.temperature", 12.4, "distill.alpha", 0.3,
                "distill.kind", "feature"));
    }

    @Test
    void architectures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch.family", "mobilenet");
        m.put("arch.activation", "hardswish");
        m.put("arch.resolution", 24);
        m.put("arch.init", "inherit");
        for (int s = 1; s <= ArchitectureStrategy.STAGES; s++) {
            m.put("arch.s" + s + ".depth", s);
            m.put("arch.s" + s + ".width", 0.5 * s);
            m.put("arch.s" + s + ".kernel", s == 2 ? 5 : 3);
            m.put("arch.s" + s + ".expansion", 2 * s);
            m.put("arch.s" + s + ".se", s > 1);
        }
        m.put("prune.sparsity", 0.5);
        m.put("quant.weight_bits", 8);
        Assignment a = new Assignment(m);
        String arch = Strategies.ARCHITECTURE.decode(a).describe();
        assertTrue(arch.startsWith("mobilenet hardswish 24px: s1 1x") && arch.contains(" k5 e4 se | s3 3x")
                && arch.endsWith("; weights from its supernet"), arch);
        assertEquals(arch + ", one-shot to 50% sparsity, INT8 weights", PlanWords.of(a));

        Map<String, Object> compound = new LinkedHashMap<>();
        compound.put("arch.family", "resnet");
        compound.put("arch.phi", 0.5);
        for (int s = 1; s <= ArchitectureStrategy.STAGES; s++) {
            compound.put("arch.s" + s + ".kernel", 3);
        }
        String words = PlanWords.of(new Assignment(compound));
        assertTrue(words.startsWith("resnet relu phi 0.50: s1 "), words);
        assertTrue(!words.contains("other parameters"), words);
    }

    @Test
    void unknownParametersAreShownNotDropped() {
        assertEquals("INT8 weights; other parameters: method=quant sparsity=0.2",
                words("method", "quant", "quant.weight_bits", 8, "sparsity", 0.2));
        assertEquals("baseline (no compression); other parameters: prune.mystery=3", words("prune.mystery", 3));
    }

    @Test
    void anAssignmentThatDoesNotDecodeIsShownRaw() {
        String w = words("prune.sparsity", 1.5, "quant.weight_bits", 8);
        assertTrue(w.startsWith("not a plan (pruning sparsity must be in [0, 1), got 1.5): "), w);
        assertTrue(w.endsWith("prune.sparsity=1.5 quant.weight_bits=8"), w);
    }

    @Test
    void numbers() {
        assertEquals("4.7", PlanWords.num(4.6823, 2));
        assertEquals("0.74", PlanWords.num(0.7412, 2));
        assertEquals("18", PlanWords.num(18.3, 2));
        assertEquals("1234", PlanWords.num(1234.4, 2));
        assertEquals("45%", PlanWords.percent(0.45));
        assertEquals("45.4%", PlanWords.percent(0.4537));
    }
}

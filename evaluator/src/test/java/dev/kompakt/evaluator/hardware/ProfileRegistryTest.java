package dev.kompakt.evaluator.hardware;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileRegistryTest {
    @TempDir
    Path dir;

    private static final Set<String> NUMERIC_FIELDS =
            Set.of("peakGflopsFp32", "efficiency", "memoryBandwidthGBs", "dispatchOverheadUs", "activePowerW", "memoryBytes");

    private static String profile(String id, double efficiency) {
        return """
                {"id": "%s", "name": "Test board", "peakGflopsFp32": 10.0, "efficiency": %s, "memoryBandwidthGBs": 1.5,
                 "dispatchOverheadUs": 2.0, "activePowerW": 3.0, "memoryBytes": 1000000, "sources": {"efficiency": "[A] test"}}
                """.formatted(id, efficiency);
    }

    private static final List<String> ALL_BUILT_IN = List.of("a100", "coral-edgetpu", "h100", "jetson-orin-nano", "rpi4", "rpi5",
            "snapdragon-npu", "stm32h7", "xeon-vnni");

    /** Field paths of a profile file that need a source: every number, flag and list, with parent.child for objects. */
    private static List<String> fieldsNeedingSources(JsonNode profile) {
        List<String> paths = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = profile.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode v = f.getValue();
            if (Set.of("id", "name", "sources", "anchors").contains(key)) {
                continue; // anchors carry their own source, checked by the record
            }
            if (v.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> c = v.fields(); c.hasNext(); ) {
                    Map.Entry<String, JsonNode> child = c.next();
                    if (child.getValue().isNumber()) {
                        paths.add(key + "." + child.getKey());
                    }
                }
            } else if (v.isNumber() || v.isBoolean() || v.isArray()) {
                paths.add(key);
            }
        }
        return paths;
    }

    @Test
    void everyBuiltInFileHasATaggedSourceForEveryNumberAndNoStaleOnes() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String id : ProfileRegistry.BUILT_IN) {
            JsonNode tree;
            try (InputStream in = ProfileRegistry.class.getResourceAsStream("/profiles/" + id + ".json")) {
                tree = json.readTree(in);
            }
            assertEquals(id, tree.get("id").asText());
            Set<String> sourced = new TreeSet<>();
            tree.get("sources").fieldNames().forEachRemaining(sourced::add);
            List<String> needed = fieldsNeedingSources(tree);
            assertTrue(sourced.containsAll(needed), id + ": fields without a source: "
                    + needed.stream().filter(f -> !sourced.contains(f)).toList());
            assertTrue(needed.containsAll(sourced), id + ": sources for fields the file does not set: "
                    + sourced.stream().filter(f -> !needed.contains(f)).toList());
            tree.get("sources").forEach(s -> assertTrue(s.asText().matches("\\[[CDA][^\\]]*\\] .+"), id + ": untagged source " + s));
            assertTrue(needed.containsAll(List.of("efficiency", "memoryBandwidthGBs", "dispatchOverheadUs", "activePowerW", "memoryBytes")), id);
        }
    }

    @Test
    void builtInsLoadWithASourceForEveryNumber() {
        ProfileRegistry r = ProfileRegistry.builtIn();
        assertEquals(ALL_BUILT_IN, List.copyOf(r.all().keySet()));
        assertEquals(Set.copyOf(ALL_BUILT_IN), Set.copyOf(ProfileRegistry.BUILT_IN));
        for (HardwareProfile p : r.all().values()) {
            Set<String> numeric = new TreeSet<>(NUMERIC_FIELDS);
            if (p.int8Only()) {
                numeric.remove("peakGflopsFp32"); // a device without a float path leaves it out
            }
            assertTrue(p.sources().keySet().containsAll(numeric), p.id() + " sources: " + p.sources().keySet());
            for (String s : p.sources().values()) {
                assertTrue(s.matches("\\[[CDA][^\\]]*\\] .+"), p.id() + ": source not tagged [C]/[D]/[A]: " + s);
            }
            assertTrue(p.name().length() > 5, p.id());
        }
        HardwareProfile rpi4 = r.get("rpi4");
        assertEquals(96.0, rpi4.peakGflopsFp32());
        assertEquals(192.0, rpi4.peakGopsInt8());
        assertEquals(4_000_000_000L, rpi4.memoryBytes());
        HardwareProfile rpi5 = r.get("rpi5");
        assertEquals(153.6, rpi5.peakGflopsFp32());
        assertEquals(5.3, rpi5.memoryBandwidthGBs());
        assertEquals(11.0, rpi5.activePowerW());
        assertTrue(r.contains("rpi5"));

        HardwareProfile coral = r.get("coral-edgetpu");
        assertTrue(coral.int8Only());
        assertEquals(4000.0, coral.peakGopsInt8());
        assertEquals(8_000_000L, coral.onChipMemoryBytes());
        assertEquals(24.2, coral.fallback().effectiveGops());
        assertTrue(coral.energy().bottomUp());
        assertFalse(coral.supports("SomeCustomLayer", true));
        assertFalse(coral.supports("conv", false), "float layers fall back");
        assertTrue(coral.supports("depthwise", true));
        HardwareProfile stm = r.get("stm32h7");
        assertEquals(2_097_152L, stm.weightMemoryBytes());
        assertEquals(0.0705, stm.efficiencyFor("depthwise"));
        assertEquals(stm.int8Efficiency(), stm.int8EfficiencyFor("conv"));
        assertTrue(r.get("jetson-orin-nano").fuses("add"));
        assertFalse(r.get("rpi4").fuses("add"));
        assertTrue(r.get("a100").anchors().isEmpty());
        assertEquals(20000.0, r.get("jetson-orin-nano").peakGopsInt8());
        assertEquals(3350.0, r.get("h100").memoryBandwidthGBs());
        assertEquals(28672.0, r.get("xeon-vnni").peakGopsInt8());
        assertEquals(45000.0, r.get("snapdragon-npu").peakGopsInt8());
        for (HardwareProfile p : r.all().values()) {
            for (HardwareProfile.Anchor a : p.anchors()) {
                assertTrue(AnchorNetworks.contains(a.network()), p.id() + ": anchor network " + a.network() + " is not built");
            }
        }
    }

    @Test
    void oldNineFieldFilesLoadWithDefaultsForTheNewFields() throws IOException {
        Files.writeString(dir.resolve("board.json"), profile("board", 0.5));
        HardwareProfile p = ProfileRegistry.load(dir).get("board");
        assertEquals(10.0, p.peakGopsInt8(), "INT8 peak defaults to the float peak");
        assertEquals(0.5, p.int8Efficiency(), "INT8 efficiency defaults to the efficiency");
        assertEquals(0.5, p.efficiencyFor("depthwise"));
        assertEquals(List.of("activation"), p.fusedOps());
        assertTrue(p.supportedOps().isEmpty());
        assertTrue(p.supports("AnythingAtAll", false));
        assertFalse(p.int8Only());
        assertEquals(null, p.fallback());
        assertFalse(p.energy().bottomUp());
        assertEquals(0L, p.onChipMemoryBytes());
        assertEquals(0L, p.weightMemoryBytes());
        assertTrue(p.anchors().isEmpty());
        assertEquals(p, new HardwareProfile("board", "Test board", 10.0, 0.5, 1.5, 2.0, 3.0, 1_000_000, Map.of("efficiency", "[A] test")));
    }

    @Test
    void profilesSurviveAJsonRoundTrip() throws IOException {
        // the cluster ships profiles to executors as JSON (cluster Wire)
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        for (HardwareProfile p : ProfileRegistry.builtIn().all().values()) {
            HardwareProfile back = json.readValue(json.writeValueAsBytes(p), HardwareProfile.class);
            assertEquals(p, back, p.id());
        }
    }

    @Test
    void newFieldsAreValidatedByName() throws IOException {
        String base = profile("x", 0.5);
        Path f = dir.resolve("x.json");
        Files.writeString(f, base.replace("\"sources\"", "\"supportedOps\": [\"conv\"], \"sources\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().contains("'fallback' must be set when supportedOps is not empty"), e.getMessage());
        Files.writeString(f, base.replace("\"sources\"", "\"fusedOps\": [\"softmax\"], \"sources\""));
        e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().contains("'fusedOps' must be one of [activation, add, pool], got softmax"), e.getMessage());
        Files.writeString(f, base.replace("\"sources\"", "\"opEfficiency\": {\"gemm\": 0.5}, \"sources\""));
        e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().contains("'opEfficiency' must be keyed by one of"), e.getMessage());
        Files.writeString(f, base.replace("\"sources\"", "\"energy\": {\"model\": \"guess\"}, \"sources\""));
        e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().contains("'energy.model' must be 'top-down' or 'bottom-up', got guess"), e.getMessage());
        Files.writeString(f, base.replace("\"sources\"", "\"anchors\": [{\"network\": \"mobilenet_v1_224\", \"precision\": \"int8\", "
                + "\"latencyMs\": 2.0, \"source\": \"untagged\"}], \"sources\""));
        e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().contains("'anchors.source' must be tagged"), e.getMessage());
        Files.writeString(f, base.replace("\"peakGflopsFp32\": 10.0", "\"peakGflopsFp32\": 0.0"));
        e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().contains("'peakGflopsFp32' must be > 0, got 0.0"), e.getMessage());
    }

    @Test
    void userDirectoryAddsAndOverridesProfiles() throws IOException {
        Files.writeString(dir.resolve("board.json"), profile("board", 0.5));
        Files.writeString(dir.resolve("rpi4.json"), profile("rpi4", 0.4));
        Files.writeString(dir.resolve("notes.txt"), "not a profile");
        ProfileRegistry r = ProfileRegistry.load(dir);
        Set<String> expected = new TreeSet<>(ALL_BUILT_IN);
        expected.add("board");
        assertEquals(expected, r.all().keySet());
        assertEquals(0.4, r.get("rpi4").efficiency(), "user profile overrides the built-in");
        assertEquals("Test board", r.get("board").name());
        assertEquals(1_000_000L, r.get("board").memoryBytes());
        // a directory that does not exist means built-ins only
        assertEquals(Set.copyOf(ALL_BUILT_IN), ProfileRegistry.load(dir.resolve("absent")).all().keySet());
    }

    @Test
    void badProfileNamesTheFileAndTheField() throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, profile("bad", 2.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().startsWith(bad + ": not a valid hardware profile"), e.getMessage());
        assertTrue(e.getMessage().contains("'efficiency'"), e.getMessage());
        assertTrue(e.getMessage().contains("in (0, 1], got 2.0"), e.getMessage());
    }

    @Test
    void unknownFieldAndBadJsonAreRejectedWithTheFile() throws IOException {
        Path typo = dir.resolve("typo.json");
        // dispatchOverheadUs may be 0, so the record accepts its absence; the unknown name must still be caught
        Files.writeString(typo, profile("typo", 0.5).replace("\"dispatchOverheadUs\"", "\"dispatchOverheadUS\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(e.getMessage().startsWith(typo + ": not a valid hardware profile"), e.getMessage());
        assertTrue(e.getMessage().contains("dispatchOverheadUS"), e.getMessage());
        // a misspelt field that must be positive is reported through the field it leaves at 0
        Files.writeString(typo, profile("typo", 0.5).replace("\"activePowerW\"", "\"activePowerWatts\""));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(p.getMessage().startsWith(typo.toString()), p.getMessage());
        assertTrue(p.getMessage().contains("'activePowerW' must be > 0, got 0.0"), p.getMessage());
        Files.delete(typo);

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"id\": ");
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.load(dir));
        assertTrue(b.getMessage().startsWith(broken + ": not a valid hardware profile"), b.getMessage());
    }

    @Test
    void unknownIdListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProfileRegistry.builtIn().get("jetson"));
        assertEquals("unknown hardware profile 'jetson' (known: " + String.join(", ", ALL_BUILT_IN) + ")", e.getMessage());
    }

    @Test
    void profileValidationNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HardwareProfile("Bad Id", "x", 1, 1, 1, 0, 1, 1, null));
        assertEquals("hardware profile field 'id' must be lower-case letters, digits, '-' or '_', got Bad Id", e.getMessage());
        IllegalArgumentException bw = assertThrows(IllegalArgumentException.class,
                () -> new HardwareProfile("x", "x", 1, 1, 0, 0, 1, 1, null));
        assertEquals("hardware profile field 'memoryBandwidthGBs' must be > 0, got 0.0", bw.getMessage());
        assertTrue(new HardwareProfile("x", "x", 1, 1, 1, 0, 1, 1, null).sources().isEmpty());
    }
}

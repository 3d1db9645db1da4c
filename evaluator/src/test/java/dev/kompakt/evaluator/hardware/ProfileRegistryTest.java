package dev.kompakt.evaluator.hardware;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void builtInsLoadWithASourceForEveryNumber() {
        ProfileRegistry r = ProfileRegistry.builtIn();
        assertEquals(List.of("rpi4", "rpi5"), List.copyOf(r.all().keySet()));
        for (HardwareProfile p : r.all().values()) {
            assertTrue(p.sources().keySet().containsAll(NUMERIC_FIELDS), p.id() + " sources: " + p.sources().keySet());
            for (String s : p.sources().values()) {
                assertTrue(s.matches("\\[[CDA]\\] .+"), p.id() + ": source not tagged [C]/[D]/[A]: " + s);
            }
        }
        HardwareProfile rpi4 = r.get("rpi4");
        assertEquals(96.0, rpi4.peakGflopsFp32());
        assertEquals(4_000_000_000L, rpi4.memoryBytes());
        HardwareProfile rpi5 = r.get("rpi5");
        assertEquals(153.6, rpi5.peakGflopsFp32());
        assertEquals(5.3, rpi5.memoryBandwidthGBs());
        assertEquals(11.0, rpi5.activePowerW());
        assertTrue(r.contains("rpi5"));
    }

    @Test
    void userDirectoryAddsAndOverridesProfiles() throws IOException {
        Files.writeString(dir.resolve("board.json"), profile("board", 0.5));
        Files.writeString(dir.resolve("rpi4.json"), profile("rpi4", 0.4));
        Files.writeString(dir.resolve("notes.txt"), "not a profile");
        ProfileRegistry r = ProfileRegistry.load(dir);
        assertEquals(List.of("board", "rpi4", "rpi5"), List.copyOf(r.all().keySet()));
        assertEquals(0.4, r.get("rpi4").efficiency(), "user profile overrides the built-in");
        assertEquals("Test board", r.get("board").name());
        assertEquals(1_000_000L, r.get("board").memoryBytes());
        // a directory that does not exist means built-ins only
        assertEquals(Set.of("rpi4", "rpi5"), ProfileRegistry.load(dir.resolve("absent")).all().keySet());
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
        assertEquals("unknown hardware profile 'jetson' (known: rpi4, rpi5)", e.getMessage());
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

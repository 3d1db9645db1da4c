package dev.kompakt.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void defaultNameFirstThenNumberedSuffixes() throws Exception {
        Path runs = tmp.resolve("runs");
        Path first = RunDirectory.create(null, runs, "quickstart");
        assertEquals(runs.resolve("quickstart"), first);
        assertTrue(Files.isDirectory(first));
        Files.writeString(first.resolve("trials.jsonl"), "keep\n");

        Path second = RunDirectory.create(null, runs, "quickstart");
        assertEquals(runs.resolve("quickstart-2"), second);
        Path third = RunDirectory.create(null, runs, "quickstart");
        assertEquals(runs.resolve("quickstart-3"), third);
        assertTrue(Files.isDirectory(second) && Files.isDirectory(third));
        assertEquals("keep\n", Files.readString(first.resolve("trials.jsonl")), "the first run is untouched");
    }

    @Test
    void skipsTakenSuffixesAndPlainFiles() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Files.createDirectories(runs.resolve("x"));
        Files.writeString(runs.resolve("x-2"), "a file, not a directory");
        Files.createDirectories(runs.resolve("x-3"));
        assertEquals(runs.resolve("x-4"), RunDirectory.create(null, runs, "x"));
        assertEquals("a file, not a directory", Files.readString(runs.resolve("x-2")));
    }

    @Test
    void otherNamesDoNotCollide() throws Exception {
        Path runs = tmp.resolve("runs");
        assertEquals(runs.resolve("a"), RunDirectory.create(null, runs, "a"));
        assertEquals(runs.resolve("b"), RunDirectory.create(null, runs, "b"));
        assertEquals(runs.resolve("a-2"), RunDirectory.create(null, runs, "a"));
    }

    @Test
    void explicitExistingDirectoryIsRefused() throws Exception {
        Path existing = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(existing.resolve("report.html"), "old");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> RunDirectory.create(existing, tmp.resolve("runs"), "ignored"));
        assertEquals(existing.toString(), e.getFile());
        assertTrue(e.getMessage().contains("never overwrites"), e.getMessage());
        assertEquals("old", Files.readString(existing.resolve("report.html")));
        assertTrue(Files.notExists(tmp.resolve("runs")), "runs root is not created for an explicit directory");
    }

    @Test
    void explicitExistingFileIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        assertThrows(FileAlreadyExistsException.class, () -> RunDirectory.create(file, tmp.resolve("runs"), "n"));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void explicitNewDirectoryIsCreatedWithParents() throws Exception {
        Path dir = tmp.resolve("deep").resolve("er").resolve("run");
        assertEquals(dir, RunDirectory.create(dir, tmp.resolve("runs"), "ignored"));
        assertTrue(Files.isDirectory(dir));
        assertTrue(Files.notExists(tmp.resolve("runs")));
    }
}

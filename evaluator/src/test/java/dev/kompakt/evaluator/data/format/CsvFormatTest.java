package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kompakt.evaluator.data.format.DataAssert.assertEmpty;
import static dev.kompakt.evaluator.data.format.DataAssert.assertFailsNaming;
import static dev.kompakt.evaluator.data.format.DataAssert.features;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvFormatTest {
    @TempDir
    Path dir;

    private final CsvFormat csv = new CsvFormat();

    private Path files(String train, String test) throws IOException {
        Path in = dir.resolve("csv");
        Files.createDirectories(in);
        Files.writeString(in.resolve("train.csv"), train);
        Files.writeString(in.resolve("test.csv"), test);
        return in;
    }

    @Test
    void stringLabelsMapToSortedNamesOverBothFiles() throws IOException {
        Path in = files("""
                width,species,"height"
                1.5,dog,-2
                0.25, cat ,3e2

                7,ant,0
                """, """
                species,height,width
                bee,10,20
                dog,-1,-0.5
                """);
        TrainTest t = csv.read(in, ReadOptions.defaults().withLabelColumn("species"), dir.resolve("cache"));
        PackedDataset train = t.train();
        assertTrue(train.shape().tabular());
        assertEquals(DataShape.tabular(2), train.shape());
        assertEquals(PackedDataset.SampleType.FLOAT32, train.sampleType());
        assertEquals(List.of("ant", "bee", "cat", "dog"), train.classNames());
        assertEquals(4, train.classes());
        assertEquals(3, train.size());
        assertEquals(3, train.label(0));
        assertEquals(2, train.label(1));
        assertEquals(0, train.label(2));
        assertArrayEquals(new float[] {1.5f, -2f}, features(train, 0));
        assertArrayEquals(new float[] {0.25f, 300f}, features(train, 1));
        assertEquals(1, t.test().label(0));
        assertArrayEquals(new float[] {20f, 10f}, features(t.test(), 0)); // the train file's column order
        assertArrayEquals(new float[] {-0.5f, -1f}, features(t.test(), 1));
    }

    @Test
    void integerLabelsAreClassNumbers() throws IOException {
        Path in = files("a,label\n1,0\n2,3\n", "a,label\n3,1\n");
        TrainTest t = csv.read(in, ReadOptions.defaults(), dir.resolve("cache"));
        assertEquals(4, t.train().classes());
        assertEquals(3, t.train().label(1));
        assertEquals(List.of("0", "1", "2", "3"), t.train().classNames());
        assertEquals(6, csv.read(in, ReadOptions.defaults().withClasses(6), dir.resolve("cache")).test().classes());
    }

    @Test
    void aNonNumericFeatureIsNamedWithLineAndColumn() throws IOException {
        Path in = files("a,b,label\n1,2,x\n3,4,y\n", "a,b,label\n1,2,x\n\n5,six,y\n");
        Path cache = dir.resolve("cache");
        assertFailsNaming(in.resolve("test.csv"), "line 4, column 'b': non-numeric feature 'six'",
                () -> csv.read(in, ReadOptions.defaults(), cache));
        assertEmpty(cache);
        Files.writeString(in.resolve("test.csv"), "a,b,label\n1,NaN,x\n");
        assertFailsNaming(in.resolve("test.csv"), "line 2, column 'b': non-numeric feature 'NaN'",
                () -> csv.read(in, ReadOptions.defaults(), cache));
        assertEmpty(cache);
    }

    @Test
    void labelsOutsideAGivenClassCountAreNamed() throws IOException {
        Path in = files("a,label\n1,0\n2,1\n", "a,label\n3,5\n");
        assertFailsNaming(in.resolve("test.csv"), "line 2: label 5 is outside the class range [0, 3)",
                () -> csv.read(in, ReadOptions.defaults().withClasses(3), dir.resolve("cache")));
        Path named = files("a,label\n1,cat\n2,dog\n", "a,label\n3,emu\n");
        assertFailsNaming(named.resolve("test.csv"), "line 2: label 'emu' is class 2",
                () -> csv.read(named, ReadOptions.defaults().withClasses(2), dir.resolve("cache")));
        assertEmpty(dir.resolve("cache"));
    }

    @Test
    void oneClassOnlyMissingLabelColumnAndMismatchedColumnsAreNamed() throws IOException {
        Path one = files("a,label\n1,cat\n2,cat\n", "a,label\n3,dog\n");
        assertFailsNaming(one.resolve("train.csv"), "one class only", () -> csv.read(one, ReadOptions.defaults(), dir.resolve("cache")));
        Path noLabel = files("a,b\n1,2\n", "a,b\n1,2\n");
        assertFailsNaming(noLabel.resolve("train.csv"), "no label column 'label'",
                () -> csv.read(noLabel, ReadOptions.defaults(), dir.resolve("cache")));
        Path mismatch = files("a,b,label\n1,2,0\n2,3,1\n", "a,c,label\n1,2,0\n");
        assertFailsNaming(mismatch.resolve("test.csv"), "columns [a, c, label] differ from the train file's [a, b, label]",
                () -> csv.read(mismatch, ReadOptions.defaults(), dir.resolve("cache")));
        Path ragged = files("a,b,label\n1,2,0\n2,1\n", "a,b,label\n1,2,0\n");
        assertFailsNaming(ragged.resolve("train.csv"), "line 3: 2 columns but the header has 3",
                () -> csv.read(ragged, ReadOptions.defaults(), dir.resolve("cache")));
        Files.delete(ragged.resolve("test.csv"));
        assertFailsNaming(ragged.resolve("test.csv"), "CSV file not found", () -> csv.read(ragged, ReadOptions.defaults(), dir.resolve("cache")));
        assertEmpty(dir.resolve("cache"));
    }
}

package dev.kompakt.evaluator.data.format;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetFormatsTest {
    @Test
    void theSpecNamesMapToTheirReaders() {
        assertEquals(List.of("idx", "cifar10", "cifar100", "folder", "csv"), DatasetFormats.names());
        for (String name : DatasetFormats.names()) {
            assertEquals(name, DatasetFormats.get(name).name());
        }
        assertInstanceOf(CsvFormat.class, DatasetFormats.get("csv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetFormats.get("parquet"));
        assertTrue(e.getMessage().contains("unknown data format 'parquet'; known: idx, cifar10, cifar100, folder, csv"), e.getMessage());
    }
}

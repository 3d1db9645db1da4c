package dev.kompakt.evaluator.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeRuntimeTest {
    @Test
    void configureTurnsTheChecksOffButKeepsWhatTheUserSet() {
        String before = System.getProperty(NativeRuntime.MAX_PHYSICAL_BYTES);
        try {
            System.clearProperty(NativeRuntime.MAX_PHYSICAL_BYTES);
            NativeRuntime.configure();
            assertEquals("0", System.getProperty(NativeRuntime.MAX_PHYSICAL_BYTES));
            System.setProperty(NativeRuntime.MAX_PHYSICAL_BYTES, "8g");
            NativeRuntime.configure();
            assertEquals("8g", System.getProperty(NativeRuntime.MAX_PHYSICAL_BYTES));
        } finally {
            if (before == null) {
                System.clearProperty(NativeRuntime.MAX_PHYSICAL_BYTES);
            } else {
                System.setProperty(NativeRuntime.MAX_PHYSICAL_BYTES, before);
            }
        }
    }

    @Test
    void theTestJvmTrainsAsTheProductDoes() {
        // surefire sets the same properties as NativeRuntime.configure(), before ND4J loads
        assertEquals(0, org.bytedeco.javacpp.Pointer.maxPhysicalBytes(), NativeRuntime.describe());
        assertTrue(NativeRuntime.describe().contains("physical-memory check off"), NativeRuntime.describe());
    }
}

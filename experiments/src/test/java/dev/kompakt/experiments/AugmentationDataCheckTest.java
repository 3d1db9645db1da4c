package dev.kompakt.experiments;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.experiments.spec.SpecException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code budget.augmentation} is checked against the data when they are loaded (exit 2 before anything is written). */
class AugmentationDataCheckTest {
    @Test
    void tableRowsAndTooLargeShiftsAreRefusedImagesPass() {
        TrainingBudget.Augmentation flip = new TrainingBudget.Augmentation(true, 2);
        SpecException rows = assertThrows(SpecException.class, () -> RunData.checkAugmentation(flip, DataShape.tabular(7)));
        assertEquals("budget.augmentation", rows.getMessage().substring(0, rows.getMessage().indexOf(':')));
        assertEquals(List.of("flips and shifts images; the data are table rows of 7 features"), rows.problems());
        SpecException big = assertThrows(SpecException.class, () -> RunData.checkAugmentation(new TrainingBudget.Augmentation(false, 4),
                DataShape.image(3, 8, 12)));
        assertEquals(List.of("4 pixels is half the 8x12 images or more"), big.problems());
        assertDoesNotThrow(() -> RunData.checkAugmentation(flip, DataShape.image(1, 28, 28)));
        assertDoesNotThrow(() -> RunData.checkAugmentation(TrainingBudget.Augmentation.NONE, DataShape.tabular(7)));
    }
}

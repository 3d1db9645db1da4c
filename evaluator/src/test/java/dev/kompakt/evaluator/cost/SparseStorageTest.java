package dev.kompakt.evaluator.cost;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Byte counts computed by hand; formats: dense ceil(n*b/8), bitmask ceil(n/8)+ceil(nnz*b/8), CSR ceil(nnz*b/8)+nnz*idx+(rows+1)*4. */
class SparseStorageTest {

    private static void assertChoice(SparseStorage.Format format, long bytes, SparseStorage.Choice actual) {
        assertEquals(new SparseStorage.Choice(format, bytes), actual);
    }

    @Test
    void denseWinsWhenNothingIsZero() {
        // 10x10 float, all non-zero: dense 100*4 = 400; bitmask 13 + 400 = 413; CSR 400 + 100*1 + 11*4 = 544
        assertChoice(SparseStorage.Format.DENSE, 400, SparseStorage.smallest(10, 10, 100, 32));
        // 3x3 at 3 bits: dense ceil(27/8) = 4; bitmask ceil(9/8) + ceil(27/8) = 2 + 4 = 6; CSR 4 + 9 + 16 = 29
        assertChoice(SparseStorage.Format.DENSE, 4, SparseStorage.smallest(3, 3, 9, 3));
        // tie between dense and bitmask goes to dense: 2x4 at 8 bits, 7 non-zeros: dense 8; bitmask 1 + 7 = 8; CSR 7 + 7 + 12 = 26
        assertChoice(SparseStorage.Format.DENSE, 8, SparseStorage.smallest(2, 4, 7, 8));
    }

    @Test
    void bitmaskWinsAtModerateSparsity() {
        // 100x100 at 8 bits, 10% non-zeros (1000): dense 10000; bitmask 10000/8 + 1000 = 1250 + 1000 = 2250;
        // CSR 1000 + 1000*1 (100 columns <= 256: 1-byte indices) + 101*4 = 2404
        assertChoice(SparseStorage.Format.BITMASK, 2250, SparseStorage.smallest(100, 100, 1000, 8));
        // same at 4 bits: dense 5000; bitmask 1250 + 500 = 1750; CSR 500 + 1000 + 404 = 1904
        assertChoice(SparseStorage.Format.BITMASK, 1750, SparseStorage.smallest(100, 100, 1000, 4));
        // at 32 bits: dense 40000; bitmask 1250 + 4000 = 5250; CSR 4000 + 1000 + 404 = 5404
        assertChoice(SparseStorage.Format.BITMASK, 5250, SparseStorage.smallest(100, 100, 1000, 32));
        // odd bit counts round up once for the whole tensor: 100x100 at 3 bits, 1000 nnz:
        // dense 30000/8 = 3750; bitmask 1250 + 375 = 1625; CSR 375 + 1000 + 404 = 1779
        assertChoice(SparseStorage.Format.BITMASK, 1625, SparseStorage.smallest(100, 100, 1000, 3));
    }

    @Test
    void csrWinsWhenVerySparse() {
        // 100x100 at 8 bits, 1% non-zeros (100): dense 10000; bitmask 1250 + 100 = 1350; CSR 100 + 100 + 404 = 604
        assertChoice(SparseStorage.Format.CSR, 604, SparseStorage.smallest(100, 100, 100, 8));
        // 5 bits, 101 nnz: ceil(505/8) = 64; CSR 64 + 101 + 404 = 569; bitmask 1250 + 64 = 1314
        assertChoice(SparseStorage.Format.CSR, 569, SparseStorage.smallest(100, 100, 101, 5));
        // empty tensor: CSR keeps only its row pointers, (100 + 1) * 4 = 404; bitmask 1250
        assertChoice(SparseStorage.Format.CSR, 404, SparseStorage.smallest(100, 100, 0, 8));
    }

    @Test
    void columnIndexWidthFollowsTheColumnCount() {
        // 256 columns still fit 1-byte indices: 10x256 at 8 bits, 50 nnz: CSR 50 + 50*1 + 11*4 = 144
        // (dense 2560, bitmask 320 + 50 = 370)
        assertChoice(SparseStorage.Format.CSR, 144, SparseStorage.smallest(10, 256, 50, 8));
        // 257 columns need 2-byte indices: CSR 50 + 50*2 + 44 = 194 (dense 2570, bitmask ceil(2570/8) = 322 + 50 = 372)
        assertChoice(SparseStorage.Format.CSR, 194, SparseStorage.smallest(10, 257, 50, 8));
        // 65536 columns still 2 bytes: 1 row, 3 nnz at 8 bits: CSR 3 + 6 + 8 = 17
        assertChoice(SparseStorage.Format.CSR, 17, SparseStorage.smallest(1, 65536, 3, 8));
        // 65537 columns need 4 bytes: CSR 3 + 12 + 8 = 23 (bitmask ceil(65537/8) = 8193 + 3)
        assertChoice(SparseStorage.Format.CSR, 23, SparseStorage.smallest(1, 65537, 3, 8));
    }

    @Test
    void ceilDivRoundsUp() {
        assertEquals(0, SparseStorage.ceilDiv(0, 8));
        assertEquals(1, SparseStorage.ceilDiv(1, 8));
        assertEquals(1, SparseStorage.ceilDiv(8, 8));
        assertEquals(2, SparseStorage.ceilDiv(9, 8));
    }
}

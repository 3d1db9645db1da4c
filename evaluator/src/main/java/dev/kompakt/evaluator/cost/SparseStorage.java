package dev.kompakt.evaluator.cost;

/**
 * Exact storage size of a weight tensor of {@code rows} output channels by {@code cols} inputs, {@code nnz}
 * non-zeros, at {@code bits} per stored value. Deployment runtimes pick the smallest of: dense
 * ({@code ceil(n*bits/8)}), bitmask ({@code ceil(n/8) + ceil(nnz*bits/8)}), and CSR
 * ({@code ceil(nnz*bits/8) + nnz*indexBytes + (rows+1)*4}, with 1-, 2- or 4-byte column indices).
 */
public final class SparseStorage {
    public enum Format { DENSE, BITMASK, CSR }

    public record Choice(Format format, long bytes) {
    }

    private SparseStorage() {
    }

    public static Choice smallest(long rows, long cols, long nnz, int bits) {
        long n = rows * cols;
        long dense = ceilDiv(n * bits, 8);
        long bitmask = ceilDiv(n, 8) + ceilDiv(nnz * bits, 8);
        int indexBytes = cols <= 256 ? 1 : cols <= 65536 ? 2 : 4;
        long csr = ceilDiv(nnz * bits, 8) + nnz * indexBytes + (rows + 1) * 4;
        if (dense <= bitmask && dense <= csr) {
            return new Choice(Format.DENSE, dense);
        }
        return bitmask <= csr ? new Choice(Format.BITMASK, bitmask) : new Choice(Format.CSR, csr);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

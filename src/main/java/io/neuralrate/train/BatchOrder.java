package io.neuralrate.train;

/**
 * A pseudo-random permutation of {@code 0 .. n-1}, computed position by position in constant
 * time and memory (a four-round Feistel network with cycle walking). Each round of training
 * needs only the rows of its own mini-batches, so the order of a whole epoch is never
 * materialised; a different key per (seed, epoch, partition) gives a fresh shuffle each epoch.
 */
final class BatchOrder {
    private static final int ROUNDS = 4;

    private final long n;
    private final int halfBits;
    private final long halfMask;
    private final long[] roundKeys = new long[ROUNDS];

    BatchOrder(long n, long key) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive");
        }
        this.n = n;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1));
        this.halfBits = (bits + 1) / 2;
        this.halfMask = (1L << halfBits) - 1;
        for (int r = 0; r < ROUNDS; r++) {
            roundKeys[r] = Seeds.mix(key, r);
        }
    }

    /** The row at position {@code i} of the permuted order. */
    long at(long i) {
        long x = i;
        do {
            x = encrypt(x);
        } while (x >= n); // cycle walking: the domain is at most 4n, so few iterations on average
        return x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int r = 0; r < ROUNDS; r++) {
            long next = left ^ (Seeds.finalise(right ^ roundKeys[r]) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }
}

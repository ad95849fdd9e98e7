package io.neuralrate.nn;

/** SplitMix64's finaliser: a fast, well-mixing bijection on 64-bit values (seeds, digests). */
public final class SplitMix64 {
    private SplitMix64() {}

    /**
     * Mixes {@code z}.
     *
     * @param z a value
     * @return its mix
     */
    public static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

package io.neuralrate.train;

/** Derives independent, reproducible random seeds from a base seed and coordinates. */
final class Seeds {
    private Seeds() {}

    /**
     * Mixes a base seed with coordinates (epoch, round, partition, ...) into a new seed, using
     * the SplitMix64 finaliser so that neighbouring coordinates give unrelated streams.
     */
    static long mix(long seed, long... coordinates) {
        long h = seed;
        for (long c : coordinates) {
            h = finalise(h ^ finalise(c + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

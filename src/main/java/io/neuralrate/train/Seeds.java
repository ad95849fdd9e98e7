package io.neuralrate.train;

import io.neuralrate.nn.SplitMix64;

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
        return SplitMix64.finalise(z);
    }
}

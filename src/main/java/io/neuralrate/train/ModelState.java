package io.neuralrate.train;

import java.io.Serializable;

/**
 * What the driver broadcasts each round: parameter values, optimizer state ({@code [slot][param]})
 * and the global step count. Plain arrays, so no native engine is needed on the driver.
 */
public final class ModelState implements Serializable {
    private static final long serialVersionUID = 1L;

    final float[][] parameters;
    final float[][][] optimizerState;
    final long step;

    ModelState(float[][] parameters, float[][][] optimizerState, long step) {
        this.parameters = parameters;
        this.optimizerState = optimizerState;
        this.step = step;
    }

    /** Zero optimizer state for the given parameters. */
    static float[][][] zeroState(int slots, float[][] parameters) {
        float[][][] state = new float[slots][parameters.length][];
        for (int s = 0; s < slots; s++) {
            for (int i = 0; i < parameters.length; i++) {
                state[s][i] = new float[parameters[i].length];
            }
        }
        return state;
    }
}

package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Creates tensors from Java arrays with a single copy into a direct buffer, which PyTorch then
 * uses in place (no second copy on the native side).
 */
public final class Tensors {
    private Tensors() {}

    /**
     * A float tensor of shape {@code (rows, cols)} (or {@code (rows)} when {@code cols == 0}) from
     * {@code data[offset .. offset + rows*max(cols,1))}.
     *
     * @param manager owner of the new tensor
     * @param data source values
     * @param offset first value
     * @param rows number of rows
     * @param cols number of columns, 0 for a vector
     * @return the tensor
     */
    public static NDArray floats(NDManager manager, float[] data, int offset, int rows, int cols) {
        int n = rows * Math.max(cols, 1);
        ByteBuffer buffer = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder());
        buffer.asFloatBuffer().put(data, offset, n);
        Shape shape = cols == 0 ? new Shape(rows) : new Shape(rows, cols);
        return manager.create(buffer, shape, DataType.FLOAT32);
    }

    /**
     * An int64 vector from {@code data[offset .. offset + rows)}.
     *
     * @param manager owner of the new tensor
     * @param data source indices
     * @param offset first value
     * @param rows number of values
     * @return the tensor
     */
    public static NDArray longs(NDManager manager, int[] data, int offset, int rows) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(rows * Long.BYTES).order(ByteOrder.nativeOrder());
        for (int i = 0; i < rows; i++) {
            buffer.putLong(i * Long.BYTES, data[offset + i]);
        }
        return manager.create(buffer, new Shape(rows), DataType.INT64);
    }
}

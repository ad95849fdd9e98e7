package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Tensors filled from Java data. Each is allocated by PyTorch (so it is freed when its manager
 * closes, not when the JVM's garbage collector gets to a direct buffer) and written once through
 * a view of its memory: no intermediate buffer, no second copy.
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
        NDArray array = emptyFloats(manager, rows, cols);
        int n = rows * Math.max(cols, 1);
        if (n > 0) { // an empty tensor has no memory to view
            floatView(array).put(data, offset, n);
        }
        return array;
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
        NDArray array = emptyLongs(manager, rows);
        if (rows > 0) {
            LongBuffer view = longView(array);
            for (int i = 0; i < rows; i++) {
                view.put(i, data[offset + i]);
            }
        }
        return array;
    }

    /**
     * An uninitialised float tensor of shape {@code (rows, cols)}, or {@code (rows)} when {@code
     * cols == 0}, to be filled through {@link #floatView}.
     *
     * @param manager owner of the new tensor
     * @param rows number of rows
     * @param cols number of columns, 0 for a vector
     * @return the tensor
     */
    public static NDArray emptyFloats(NDManager manager, int rows, int cols) {
        return manager.create(cols == 0 ? new Shape(rows) : new Shape(rows, cols), DataType.FLOAT32);
    }

    /**
     * An uninitialised int64 vector, to be filled through {@link #longView}.
     *
     * @param manager owner of the new tensor
     * @param rows number of values
     * @return the tensor
     */
    public static NDArray emptyLongs(NDManager manager, int rows) {
        return manager.create(new Shape(rows), DataType.INT64);
    }

    /**
     * The memory of a float tensor as a writable buffer; valid only while the tensor is open.
     *
     * @param array a contiguous float32 CPU tensor
     * @return its values, in row-major order
     */
    public static FloatBuffer floatView(NDArray array) {
        return view(array).asFloatBuffer();
    }

    /**
     * The memory of an int64 tensor as a writable buffer; valid only while the tensor is open.
     *
     * @param array a contiguous int64 CPU tensor
     * @return its values
     */
    public static LongBuffer longView(NDArray array) {
        return view(array).asLongBuffer();
    }

    private static ByteBuffer view(NDArray array) {
        return ((PtNDArray) array).toByteBuffer(true).order(ByteOrder.nativeOrder());
    }
}

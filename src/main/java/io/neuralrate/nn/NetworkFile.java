package io.neuralrate.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;

/**
 * The stored form of a network: its {@link NetworkSpec} and parameter values, in a small
 * versioned binary format that needs no Java serialisation and no native engine to read.
 *
 * <p>Layout (big-endian, as {@link DataOutputStream} writes): magic {@code "NRMLP"} (5 bytes),
 * format version (int), the spec (numFeatures int; hidden layer count and widths as ints;
 * activation as UTF; dropout float; embedding column count and cardinalities as ints; embedding
 * dim int; label mean and scale as floats), the number of parameter tensors (int) and each tensor
 * as its length (int) and values (floats), then a CRC-32 (long) of every preceding byte. A
 * truncated or altered file is refused with a message, never half-loaded.
 */
public final class NetworkFile implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * The format version this code writes and reads. Version 2 added the pairwise embedding dot
     * product to the network's output; version 1 files hold the same tensors but meant a network
     * without it, so they are refused rather than silently scored differently.
     */
    public static final int FORMAT_VERSION = 2;

    private static final byte[] MAGIC = {'N', 'R', 'M', 'L', 'P'};
    private static final int MAX_TENSORS = 1 << 16;

    private final NetworkSpec spec;
    private final float[][] parameters;

    /**
     * Pairs a spec with its parameters.
     *
     * @param spec network shape
     * @param parameters values in the spec's layout
     */
    public NetworkFile(NetworkSpec spec, float[][] parameters) {
        spec.checkParameters(parameters);
        this.spec = spec;
        this.parameters = parameters;
    }

    /** The network's shape. */
    public NetworkSpec spec() {
        return spec;
    }

    /** The parameter values, in layout order. */
    public float[][] parameters() {
        return parameters;
    }

    /**
     * Writes this network to {@code out} (which is not closed).
     *
     * @param out destination
     * @throws IOException on a write failure
     */
    public void write(OutputStream out) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.write(MAGIC);
        data.writeInt(FORMAT_VERSION);
        writeSpec(data, spec);
        writeTensors(data, parameters);
        data.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        data.writeLong(crc.getValue());
        data.flush();
        bytes.writeTo(out);
    }

    /**
     * Reads a network written by {@link #write}.
     *
     * @param in source (read to its end)
     * @param source a name for error messages (the file's path)
     * @return the network
     * @throws IOException if the file is truncated, corrupt or of an unknown version
     */
    public static NetworkFile read(InputStream in, String source) throws IOException {
        byte[] all = in.readAllBytes();
        if (all.length < MAGIC.length + 4 + 8) {
            throw new IOException("Model file " + source + " is truncated (" + all.length + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException("Model file " + source + " is corrupt: checksum mismatch (truncated or modified)");
        }
        try (DataInputStream data = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8))) {
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("File " + source + " is not a NeuralRate network file");
            }
            int version = data.readInt();
            if (version != FORMAT_VERSION) {
                throw new IOException("Model file " + source + " has format version " + version
                        + "; this NeuralRate reads version " + FORMAT_VERSION
                        + (version < FORMAT_VERSION ? " (retrain the model with this version)" : ""));
            }
            NetworkSpec spec = readSpec(data);
            float[][] params = readTensors(data, source);
            return new NetworkFile(spec, params);
        } catch (EOFException e) {
            throw new IOException("Model file " + source + " is truncated", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("Model file " + source + " is inconsistent: " + e.getMessage(), e);
        }
    }

    static void writeSpec(DataOutputStream data, NetworkSpec spec) throws IOException {
        data.writeInt(spec.numFeatures());
        writeInts(data, spec.hiddenLayers());
        data.writeUTF(spec.activation().paramValue());
        data.writeFloat(spec.dropout());
        writeInts(data, spec.embeddingCardinalities());
        data.writeInt(spec.embeddingDim());
        data.writeFloat(spec.labelMean());
        data.writeFloat(spec.labelScale());
    }

    static NetworkSpec readSpec(DataInputStream data) throws IOException {
        int numFeatures = data.readInt();
        int[] hidden = readInts(data);
        Activation activation = ParamEnum.parse(Activation.class, "activation", data.readUTF());
        float dropout = data.readFloat();
        int[] cards = readInts(data);
        int embeddingDim = data.readInt();
        float mean = data.readFloat();
        float scale = data.readFloat();
        return new NetworkSpec(numFeatures, hidden, activation, dropout, cards, embeddingDim, mean, scale);
    }

    /**
     * Writes float tensors as a count followed by (length, values) per tensor.
     *
     * @param data destination
     * @param tensors the tensors
     * @throws IOException on a write failure
     */
    public static void writeTensors(DataOutputStream data, float[][] tensors) throws IOException {
        data.writeInt(tensors.length);
        for (float[] t : tensors) {
            data.writeInt(t.length);
            for (float v : t) {
                data.writeFloat(v);
            }
        }
    }

    /**
     * Reads tensors written by {@link #writeTensors}.
     *
     * @param data source
     * @param source a name for error messages
     * @return the tensors
     * @throws IOException if a count or length is impossible, or on a read failure
     */
    public static float[][] readTensors(DataInputStream data, String source) throws IOException {
        int count = data.readInt();
        if (count < 0 || count > MAX_TENSORS) {
            throw new IOException("File " + source + " declares " + count + " tensors");
        }
        float[][] tensors = new float[count][];
        for (int i = 0; i < count; i++) {
            int length = data.readInt();
            if (length < 0 || length > data.available() / Float.BYTES) {
                throw new IOException("File " + source + " declares tensor " + i + " of " + length + " values");
            }
            float[] t = new float[length];
            for (int j = 0; j < length; j++) {
                t[j] = data.readFloat();
            }
            tensors[i] = t;
        }
        return tensors;
    }

    private static void writeInts(DataOutputStream data, int[] values) throws IOException {
        data.writeInt(values.length);
        for (int v : values) {
            data.writeInt(v);
        }
    }

    private static int[] readInts(DataInputStream data) throws IOException {
        int n = data.readInt();
        if (n < 0 || n > 4096) {
            throw new IOException("implausible array length " + n);
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = data.readInt();
        }
        return values;
    }
}

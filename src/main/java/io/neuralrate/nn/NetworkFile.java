package io.neuralrate.nn;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The stored form of a network's dense part: its {@link NetworkSpec}, the parameters of its
 * perceptron, and a digest of its embedding tables, in a small versioned binary format that needs
 * no Java serialisation and no native engine to read. The embedding tables themselves are stored
 * apart, as one row per index (the model saves them as Parquet), so a network file stays small
 * however many users and items the model knows; the digest lets two models be compared, bit for
 * bit, by their network files alone.
 *
 * <p>Layout (big-endian, as {@link DataOutputStream} writes): magic {@code "NRMLP"} (5 bytes),
 * format version (int), the spec (numFeatures int; hidden layer count and widths as ints;
 * activation as UTF; dropout float; embedding column count and cardinalities as ints; embedding
 * dim int; label mean and scale as floats), the number of dense tensors (int) and each tensor as
 * its length (int) and values (floats), the tables' digest (long), the number of rows each stored
 * table has (count int, then longs), then a CRC-32 (long) of every preceding byte. A truncated or
 * altered file is refused with a message, never half-loaded.
 *
 * <p>Format 3 files have no row counts: their tables hold every row (cardinality plus the unknown
 * row). Format 2 files held the embedding tables inline (the same tensors, before the dense ones,
 * and no digest). Both are still read, so older models keep loading.
 */
public final class NetworkFile implements java.io.Serializable {
    private static final long serialVersionUID = 3L;
    /**
     * The format version this code writes. Version 4 added the row counts of the stored tables (a fit
     * keeps only the rows it trained); version 3 moved the embedding tables out of the file;
     * version 2 added the pairwise embedding dot product to the network's output, so version 1
     * files (a network without it) are refused rather than silently scored differently.
     */
    public static final int FORMAT_VERSION = 4;
    /** The oldest format this code reads. */
    public static final int OLDEST_READABLE_VERSION = 2;

    private static final byte[] MAGIC = {'N', 'R', 'M', 'L', 'P'};
    private static final int MAX_TENSORS = 1 << 16;

    private final NetworkSpec spec;
    private final float[][] dense;
    private final long tablesDigest;
    private final long[] tableRows;
    private final transient float[][] tables;

    private NetworkFile(NetworkSpec spec, float[][] dense, long tablesDigest, long[] tableRows, float[][] tables) {
        if (tableRows.length != spec.numEmbeddings()) {
            throw new IllegalArgumentException("expected " + spec.numEmbeddings() + " table row counts, got "
                    + tableRows.length);
        }
        this.spec = spec;
        this.dense = dense;
        this.tablesDigest = tablesDigest;
        this.tableRows = tableRows.clone();
        this.tables = tables;
    }

    /** Every row of every table: cardinality plus the unknown row. */
    private static long[] allRows(NetworkSpec spec) {
        return Arrays.stream(spec.embeddingCardinalities()).mapToLong(c -> c + 1L).toArray();
    }

    /**
     * Splits a whole parameter set into the dense part and the embedding tables, and digests the tables.
     *
     * @param spec network shape
     * @param parameters values in the spec's layout (embedding tables first)
     * @return the network, with its tables available through {@link #tables()}
     */
    public static NetworkFile of(NetworkSpec spec, float[][] parameters) {
        spec.checkParameters(parameters);
        int t = spec.embeddingTableCount();
        float[][] tables = Arrays.copyOfRange(parameters, 0, t);
        return new NetworkFile(spec, Arrays.copyOfRange(parameters, t, parameters.length), digest(spec, tables),
                allRows(spec), tables);
    }

    /**
     * A network whose embedding tables are stored apart (as Parquet), known here by their digest.
     *
     * @param spec network shape
     * @param dense the parameters after the embedding tables, in layout order
     * @param tablesDigest the tables' digest ({@link #digest}) over the rows stored
     * @param tableRows per embedding column, the rows its stored table has (at most the cardinality plus
     *     the unknown row; an index without a row is scored as unknown)
     * @return the network
     */
    public static NetworkFile withStoredTables(NetworkSpec spec, float[][] dense, long tablesDigest,
                                               long[] tableRows) {
        return new NetworkFile(spec, dense, tablesDigest, tableRows, null);
    }

    /** This network without the tables it holds (once they are stored elsewhere). @return the dense part */
    public NetworkFile withoutTables() {
        return new NetworkFile(spec, dense, tablesDigest, tableRows, null);
    }

    /** The network's shape. @return the spec */
    public NetworkSpec spec() {
        return spec;
    }

    /** The perceptron's parameters: the spec's layout after the embedding tables. @return the tensors */
    public float[][] dense() {
        return dense;
    }

    /**
     * A digest of the embedding tables' values (see {@link #digest}), fixed when the network was
     * trained: equal networks have equal digests.
     *
     * @return the digest
     */
    public long tablesDigest() {
        return tablesDigest;
    }

    /** Per embedding column, the rows its stored table has. @return the counts */
    public long[] tableRows() {
        return tableRows.clone();
    }

    /**
     * The embedding tables in the spec's layout ({@code 2e}: vectors, {@code 2e+1}: biases), when this
     * object was built from a whole parameter set or read from a format-2 file; empty when the
     * tables are stored apart.
     *
     * @return the tables, if held
     */
    public Optional<float[][]> tables() {
        return Optional.ofNullable(tables);
    }

    /**
     * An order-independent digest of embedding tables: the sum (mod 2^64) over every row of every
     * column of {@link #rowDigest}, so it can be computed over rows stored anywhere, in any order.
     *
     * @param spec the network's shape
     * @param tables the tables in the spec's layout
     * @return the digest
     */
    public static long digest(NetworkSpec spec, float[][] tables) {
        long sum = 0;
        int dim = spec.embeddingDim();
        for (int e = 0; e < spec.numEmbeddings(); e++) {
            float[] vectors = tables[2 * e];
            float[] biases = tables[2 * e + 1];
            for (int row = 0; row < biases.length; row++) {
                sum += rowDigest(e, row, vectors, row * dim, dim, biases[row]);
            }
        }
        return sum;
    }

    /**
     * The digest of one table row: its column, index, vector and bias, bit for bit.
     *
     * @param column embedding column number
     * @param index the row's index
     * @param vectors array holding the row's vector
     * @param offset where the vector starts in {@code vectors}
     * @param dim the vector's length
     * @param bias the row's bias
     * @return a well-mixed 64-bit value
     */
    public static long rowDigest(int column, int index, float[] vectors, int offset, int dim, float bias) {
        long h = SplitMix64.finalise(((long) column << 32) ^ index);
        for (int j = 0; j < dim; j++) {
            h = SplitMix64.finalise(h ^ Float.floatToRawIntBits(vectors[offset + j]));
        }
        return SplitMix64.finalise(h ^ Float.floatToRawIntBits(bias));
    }

    /**
     * Writes this network's dense part and tables digest to {@code out} (which is not closed).
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
        writeTensors(data, dense);
        data.writeLong(tablesDigest);
        data.writeInt(tableRows.length);
        for (long rows : tableRows) {
            data.writeLong(rows);
        }
        data.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        data.writeLong(crc.getValue());
        data.flush();
        bytes.writeTo(out);
    }

    /**
     * Reads a network written by {@link #write} (format 4), a format-3 file (every table row stored), or a
     * format-2 file with its tables inline.
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
            if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
                throw new IOException("Model file " + source + " has format version " + version
                        + "; this NeuralRate reads versions " + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION
                        + (version < OLDEST_READABLE_VERSION ? " (retrain the model with this version)"
                                : " (written by a newer NeuralRate)"));
            }
            NetworkSpec spec = readSpec(data);
            float[][] tensors = readTensors(data, source);
            if (version == 2) {
                return of(spec, tensors);
            }
            long digest = data.readLong();
            long[] tableRows = version == 3 ? allRows(spec) : readTableRows(data, spec);
            List<long[]> shapes = spec.parameterShapes();
            if (tensors.length != shapes.size() - spec.embeddingTableCount()) {
                throw new IllegalArgumentException("expected " + (shapes.size() - spec.embeddingTableCount())
                        + " dense tensors, got " + tensors.length);
            }
            for (int i = 0; i < tensors.length; i++) {
                if (tensors[i].length != NetworkSpec.elements(shapes.get(spec.embeddingTableCount() + i))) {
                    throw new IllegalArgumentException("dense tensor " + i + " should have shape "
                            + Arrays.toString(shapes.get(spec.embeddingTableCount() + i)));
                }
            }
            if (data.available() > 0) {
                throw new IllegalArgumentException(data.available() + " unexpected bytes after the table row counts");
            }
            return new NetworkFile(spec, tensors, digest, tableRows, null);
        } catch (EOFException e) {
            throw new IOException("Model file " + source + " is truncated", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("Model file " + source + " is inconsistent: " + e.getMessage(), e);
        }
    }

    private static long[] readTableRows(DataInputStream data, NetworkSpec spec) throws IOException {
        int count = data.readInt();
        if (count != spec.numEmbeddings()) {
            throw new IllegalArgumentException("expected " + spec.numEmbeddings() + " table row counts, got " + count);
        }
        long[] rows = new long[count];
        for (int e = 0; e < count; e++) {
            rows[e] = data.readLong();
            if (rows[e] < 1 || rows[e] > spec.embeddingCardinalities()[e] + 1L) {
                throw new IllegalArgumentException("table " + e + " has " + rows[e] + " rows, outside 1 .. "
                        + (spec.embeddingCardinalities()[e] + 1L));
            }
        }
        return rows;
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

package io.neuralrate.nn;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network file: dense part, tables digest and row counts (format 4); formats 3 and 2 still read; 1 refused. */
public class NetworkFileTest {
    private static final NetworkSpec SPEC = new NetworkSpec(3, new int[] {4}, Activation.RELU, 0f, new int[] {5, 2},
            2, 3.5f, 1.1f);

    @Test
    void formatFourHoldsTheDenseTensorsADigestAndTheRowCountsOfTheTables() throws IOException {
        NetworkSpec large = new NetworkSpec(3, new int[] {4}, Activation.RELU, 0f, new int[] {5000, 2000}, 8, 3.5f, 1.1f);
        float[][] params = large.initialParameters(7);
        NetworkFile file = NetworkFile.withStoredTables(large, java.util.Arrays.copyOfRange(params,
                large.embeddingTableCount(), params.length), 42L, new long[] {4001, 2001});
        byte[] bytes = bytes(file);
        NetworkFile read = NetworkFile.read(new ByteArrayInputStream(bytes), "test");
        assertTrue(read.tables().isEmpty(), "the tables are stored apart");
        assertEquals(params.length - large.embeddingTableCount(), read.dense().length);
        for (int i = 0; i < read.dense().length; i++) {
            assertArrayEquals(params[large.embeddingTableCount() + i], read.dense()[i]);
        }
        assertEquals(42L, read.tablesDigest());
        assertArrayEquals(new long[] {4001, 2001}, read.tableRows());
        // The file's size follows the perceptron, not the tables.
        assertTrue(bytes.length < 200 + 4 * (large.parameterCount() - 8 * 7002 - 7002), bytes.length + " bytes");

        IOException tooMany = assertThrows(IOException.class, () -> NetworkFile.read(new ByteArrayInputStream(
                bytes(NetworkFile.withStoredTables(large, read.dense(), 42L, new long[] {5002, 2001}))), "bad"));
        assertTrue(tooMany.getMessage().contains("5002 rows"), tooMany.getMessage());
    }

    @Test
    void aFormatThreeFileLoadsWithEveryTableRowStored() throws IOException {
        float[][] params = SPEC.initialParameters(7);
        NetworkFile file = NetworkFile.of(SPEC, params).withoutTables();
        byte[] four = bytes(file);
        // Format 3 is format 4 without the row counts (an int, then a long per table) before the CRC.
        byte[] body = java.util.Arrays.copyOf(four, four.length - 8 - 4 - 8 * SPEC.numEmbeddings());
        java.nio.ByteBuffer.wrap(body).putInt(5, 3);
        NetworkFile read = NetworkFile.read(new ByteArrayInputStream(withCrc(body)), "v3");
        assertEquals(file.tablesDigest(), read.tablesDigest());
        assertArrayEquals(new long[] {5 + 1, 2 + 1}, read.tableRows());
    }

    private static byte[] bytes(NetworkFile file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        file.write(out);
        return out.toByteArray();
    }

    @Test
    void theDigestSeesOneFlippedBitOfAnyTableValue() {
        float[][] params = SPEC.initialParameters(7);
        long digest = NetworkFile.of(SPEC, params).tablesDigest();
        for (int t = 0; t < SPEC.embeddingTableCount(); t++) {
            float[][] changed = params.clone();
            changed[t] = params[t].clone();
            changed[t][changed[t].length - 1] = Float.intBitsToFloat(
                    Float.floatToRawIntBits(changed[t][changed[t].length - 1]) ^ 1);
            assertNotEquals(digest, NetworkFile.of(SPEC, changed).tablesDigest(), "tensor " + t);
        }
        float[][] dense = params.clone();
        dense[params.length - 1] = new float[] {42f};
        assertEquals(digest, NetworkFile.of(SPEC, dense).tablesDigest(), "the dense part is not in the digest");
    }

    @Test
    void aFormatTwoFileStillLoadsWithItsTables() throws IOException {
        float[][] params = SPEC.initialParameters(9);
        NetworkFile read = NetworkFile.read(new ByteArrayInputStream(formatTwo(SPEC, params)), "old");
        assertEquals(NetworkFile.of(SPEC, params).tablesDigest(), read.tablesDigest());
        float[][] tables = read.tables().orElseThrow();
        for (int t = 0; t < tables.length; t++) {
            assertArrayEquals(params[t], tables[t]);
        }
    }

    @Test
    void formatOneAndFutureFormatsAreRefusedByVersion() throws IOException {
        for (int version : new int[] {1, NetworkFile.FORMAT_VERSION + 1}) {
            byte[] bytes = withVersion(formatTwo(SPEC, SPEC.initialParameters(1)), version);
            IOException e = assertThrows(IOException.class,
                    () -> NetworkFile.read(new ByteArrayInputStream(bytes), "file.nrmlp"));
            assertTrue(e.getMessage().contains("format version " + version), e.getMessage());
        }
    }

    /**
     * The bytes of a format-2 network file, as NeuralRate wrote them before the tables moved out.
     *
     * @param spec the network
     * @param parameters every tensor, tables first
     * @return the file's bytes
     * @throws IOException never
     */
    public static byte[] formatTwo(NetworkSpec spec, float[][] parameters) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.write(new byte[] {'N', 'R', 'M', 'L', 'P'});
        data.writeInt(2);
        NetworkFile.writeSpec(data, spec);
        NetworkFile.writeTensors(data, parameters);
        data.flush();
        return withCrc(bytes.toByteArray());
    }

    private static byte[] withVersion(byte[] file, int version) {
        byte[] body = java.util.Arrays.copyOf(file, file.length - 8);
        java.nio.ByteBuffer.wrap(body).putInt(5, version);
        return withCrc(body);
    }

    private static byte[] withCrc(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        byte[] out = java.util.Arrays.copyOf(body, body.length + 8);
        java.nio.ByteBuffer.wrap(out).putLong(body.length, crc.getValue());
        return out;
    }
}

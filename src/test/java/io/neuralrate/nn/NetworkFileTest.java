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

/** The network file: dense part and tables digest (format 3); format 2 still read; format 1 refused. */
public class NetworkFileTest {
    private static final NetworkSpec SPEC = new NetworkSpec(3, new int[] {4}, Activation.RELU, 0f, new int[] {5, 2},
            2, 3.5f, 1.1f);

    @Test
    void formatThreeHoldsTheDenseTensorsAndADigestOfTheTables() throws IOException {
        float[][] params = SPEC.initialParameters(7);
        NetworkFile file = NetworkFile.of(SPEC, params);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        file.write(out);
        NetworkFile read = NetworkFile.read(new ByteArrayInputStream(out.toByteArray()), "test");
        assertTrue(read.tables().isEmpty(), "the tables are stored apart");
        assertEquals(params.length - SPEC.embeddingTableCount(), read.dense().length);
        for (int i = 0; i < read.dense().length; i++) {
            assertArrayEquals(params[SPEC.embeddingTableCount() + i], read.dense()[i]);
        }
        assertEquals(file.tablesDigest(), read.tablesDigest());
        // The file's size follows the perceptron, not the tables.
        assertTrue(out.size() < 4 * SPEC.parameterCount(), out.size() + " bytes");
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

package io.neuralrate.train;

import io.neuralrate.nn.NetworkFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The driver's training state after an epoch: parameters, optimizer state and step, the best
 * epoch's parameters, and the history. Every other random choice of training is a pure function of
 * (seed, epoch, round, partition), so this is all a resumed fit needs to continue exactly as the
 * interrupted one would have.
 *
 * <p>Each checkpoint is one file, {@code checkpoint-NNNNNN.nrckpt}, built in memory and written in
 * a single sequential stream (one PUT on an object store; no rename, no append). It carries a
 * CRC-32, so a file cut short by a crash is recognised and the previous checkpoint used instead.
 * The two newest are kept. No Java serialisation is involved.
 */
final class Checkpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final byte[] MAGIC = "NRCKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final String PREFIX = "checkpoint-";
    private static final String SUFFIX = ".nrckpt";
    private static final int KEEP = 2;

    final String fingerprint;
    final ModelState state;
    final float[][] best;
    final int bestEpoch;
    final double bestRmse;
    final List<EpochStats> history;

    Checkpoint(String fingerprint, ModelState state, float[][] best, int bestEpoch, double bestRmse,
               List<EpochStats> history) {
        this.fingerprint = fingerprint;
        this.state = state;
        this.best = best;
        this.bestEpoch = bestEpoch;
        this.bestRmse = bestRmse;
        this.history = List.copyOf(history);
    }

    /** Epochs completed when the checkpoint was taken. */
    int epochs() {
        return history.size();
    }

    /** Writes this checkpoint into {@code dir} and removes all but the newest {@value #KEEP}. */
    void save(Configuration conf, String dir) {
        Path folder = new Path(dir);
        try {
            FileSystem fs = folder.getFileSystem(conf);
            byte[] bytes = encode();
            Path file = file(folder, epochs());
            try (FSDataOutputStream out = fs.create(file, true)) {
                out.write(bytes);
            }
            List<FileStatus> files = list(fs, folder);
            for (int i = KEEP; i < files.size(); i++) {
                fs.delete(files.get(i).getPath(), false);
            }
            LOG.info("Checkpoint after epoch {} written to {} ({} bytes)", epochs(), file, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a checkpoint to " + dir, e);
        }
    }

    /**
     * The newest readable checkpoint in {@code dir} taken with the same settings and data; files
     * that are damaged or from other settings are skipped with a warning.
     */
    static Optional<Checkpoint> latest(Configuration conf, String dir, String fingerprint) {
        Path folder = new Path(dir);
        try {
            FileSystem fs = folder.getFileSystem(conf);
            if (!fs.exists(folder)) {
                return Optional.empty();
            }
            for (FileStatus status : list(fs, folder)) {
                Checkpoint c;
                try (InputStream in = fs.open(status.getPath())) {
                    c = decode(in.readAllBytes(), status.getPath().toString());
                } catch (IOException e) {
                    LOG.warn("Skipping checkpoint {}: {}", status.getPath(), e.getMessage());
                    continue;
                }
                if (!c.fingerprint.equals(fingerprint)) {
                    LOG.warn("Skipping checkpoint {}: taken with other settings or data ({} vs {})",
                            status.getPath(), c.fingerprint, fingerprint);
                    continue;
                }
                return Optional.of(c);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the checkpoints in " + dir, e);
        }
    }

    /** Whether {@code dir} holds the checkpoint file taken after {@code epochs} epochs. */
    static boolean exists(Configuration conf, String dir, int epochs) throws IOException {
        Path file = file(new Path(dir), epochs);
        return file.getFileSystem(conf).exists(file);
    }

    private static Path file(Path folder, int epochs) {
        return new Path(folder, String.format("%s%06d%s", PREFIX, epochs, SUFFIX));
    }

    /** Checkpoint files, newest first. */
    private static List<FileStatus> list(FileSystem fs, Path folder) throws IOException {
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(folder)) {
            String name = s.getPath().getName();
            if (s.isFile() && name.startsWith(PREFIX) && name.endsWith(SUFFIX)) {
                files.add(s);
            }
        }
        files.sort(Comparator.comparing((FileStatus s) -> s.getPath().getName()).reversed());
        return files;
    }

    byte[] encode() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.write(MAGIC);
        data.writeInt(VERSION);
        data.writeUTF(fingerprint);
        data.writeLong(state.step);
        NetworkFile.writeTensors(data, state.parameters);
        data.writeInt(state.optimizerState.length);
        for (float[][] slot : state.optimizerState) {
            NetworkFile.writeTensors(data, slot);
        }
        NetworkFile.writeTensors(data, best);
        data.writeInt(bestEpoch);
        data.writeDouble(bestRmse);
        data.writeInt(history.size());
        for (EpochStats e : history) {
            data.writeInt(e.epoch());
            data.writeDouble(e.trainingLoss());
            data.writeDouble(e.validationRmse());
            data.writeDouble(e.seconds());
            data.writeDouble(e.samplesPerSecond());
            data.writeInt(e.rounds());
            data.writeDouble(e.roundSeconds());
            data.writeDouble(e.computeSeconds());
        }
        data.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        data.writeLong(crc.getValue());
        data.flush();
        return bytes.toByteArray();
    }

    static Checkpoint decode(byte[] all, String source) throws IOException {
        if (all.length < MAGIC.length + 12) {
            throw new IOException("truncated (" + all.length + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException("checksum mismatch (truncated or altered)");
        }
        try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a NeuralRate checkpoint");
            }
            int version = data.readInt();
            if (version != VERSION) {
                throw new IOException("checkpoint format version " + version + ", expected " + VERSION);
            }
            String fingerprint = data.readUTF();
            long step = data.readLong();
            float[][] parameters = NetworkFile.readTensors(data, source);
            float[][][] slots = new float[data.readInt()][][];
            for (int s = 0; s < slots.length; s++) {
                slots[s] = NetworkFile.readTensors(data, source);
            }
            float[][] best = NetworkFile.readTensors(data, source);
            int bestEpoch = data.readInt();
            double bestRmse = data.readDouble();
            int epochs = data.readInt();
            List<EpochStats> history = new ArrayList<>(epochs);
            for (int i = 0; i < epochs; i++) {
                history.add(new EpochStats(data.readInt(), data.readDouble(), data.readDouble(), data.readDouble(),
                        data.readDouble(), data.readInt(), data.readDouble(), data.readDouble()));
            }
            return new Checkpoint(fingerprint, new ModelState(parameters, slots, step), best, bestEpoch, bestRmse,
                    history);
        } catch (EOFException e) {
            throw new IOException("truncated", e);
        }
    }
}

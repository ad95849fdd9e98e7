package io.neuralrate.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A run's output folder, written atomically: everything goes to a hidden staging folder
 * ({@code _staging-<date>-<id>}, which Spark and Hadoop readers skip because of the leading
 * underscore), a {@code _SUCCESS} marker is written last, and only then is the staging folder
 * renamed to {@code <root>/<date>}. A previous output for the same date is moved aside first and
 * deleted after the rename, so a reader sees either the old complete output or the new one; a
 * run that dies leaves only a staging folder, never a half-written dated folder.
 */
public final class OutputLayout {
    /** Marker written into a completed run folder. */
    public static final String SUCCESS = "_SUCCESS";

    private final FileSystem fs;
    private final Path root;
    private final Path finalDir;
    private final Path staging;

    private OutputLayout(FileSystem fs, Path root, String runDate) {
        this.fs = fs;
        this.root = root;
        this.finalDir = new Path(root, runDate);
        this.staging = new Path(root, "_staging-" + runDate + "-" + UUID.randomUUID());
    }

    /**
     * Prepares a staging folder for a run.
     *
     * @param conf Hadoop configuration
     * @param root output root
     * @param runDate the run date (folder name)
     * @return the layout
     */
    public static OutputLayout begin(Configuration conf, String root, String runDate) {
        try {
            Path rootPath = new Path(root);
            FileSystem fs = rootPath.getFileSystem(conf);
            OutputLayout layout = new OutputLayout(fs, fs.makeQualified(rootPath), runDate);
            layout.recover();
            fs.mkdirs(layout.staging);
            return layout;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the output folder under " + root, e);
        }
    }

    /**
     * Cleans up after a run for the same date that was killed: a previous output it had moved aside
     * but not yet replaced is put back, and its staging folder is removed. (One run per date at a
     * time: a concurrent run's staging folder would be removed too.)
     */
    private void recover() throws IOException {
        if (!fs.exists(root)) {
            return;
        }
        String date = finalDir.getName();
        for (FileStatus s : fs.listStatus(root)) {
            String name = s.getPath().getName();
            if (name.startsWith("_previous-" + date + "-")) {
                if (!fs.exists(finalDir) && fs.exists(new Path(s.getPath(), SUCCESS))) {
                    fs.rename(s.getPath(), finalDir);
                } else {
                    fs.delete(s.getPath(), true);
                }
            }
        }
        for (FileStatus s : fs.listStatus(root)) {
            if (s.getPath().getName().startsWith("_staging-" + date + "-")) {
                fs.delete(s.getPath(), true);
            }
        }
    }

    /** Writes a run's files into its staging folder. */
    @FunctionalInterface
    public interface StagedWriter {
        /**
         * @param out the layout; write to {@link #staged(String)} paths
         * @throws Exception on any failure (the staging folder is then removed)
         */
        void write(OutputLayout out) throws Exception;
    }

    /**
     * Begins a run, lets {@code writer} fill its staging folder, and commits it; on any failure the
     * staging folder is removed, the previous output stays, and the failure is rethrown.
     *
     * @param conf Hadoop configuration
     * @param root output root
     * @param runDate the run date (folder name)
     * @param writer what the run writes
     * @return the committed folder
     */
    public static String writeAtomically(Configuration conf, String root, String runDate, StagedWriter writer) {
        OutputLayout out = begin(conf, root, runDate);
        try {
            writer.write(out);
            out.commit();
        } catch (Exception e) {
            out.abort();
            throw e instanceof RuntimeException ? (RuntimeException) e : new RuntimeException(e);
        }
        return out.finalPath();
    }

    /** @param name an output inside the run folder @return its staging path */
    public String staged(String name) {
        return new Path(staging, name).toString();
    }

    /** @return the folder the run's output will have once committed */
    public String finalPath() {
        return finalDir.toString();
    }

    /** @return the Hadoop file system of the output */
    public FileSystem fileSystem() {
        return fs;
    }

    /** Marks the staged output complete and moves it into place. */
    public void commit() {
        try {
            fs.create(new Path(staging, SUCCESS), true).close();
            Path previous = null;
            if (fs.exists(finalDir)) {
                previous = new Path(root, "_previous-" + finalDir.getName() + "-" + UUID.randomUUID());
                if (!fs.rename(finalDir, previous)) {
                    throw new IOException("could not move the previous output " + finalDir + " aside");
                }
            }
            if (!fs.rename(staging, finalDir)) {
                if (previous != null) {
                    fs.rename(previous, finalDir);
                }
                throw new IOException("could not rename " + staging + " to " + finalDir);
            }
            if (previous != null) {
                fs.delete(previous, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot commit the output " + finalDir, e);
        }
    }

    /** Removes the staging folder of a failed run (the previous output is untouched). */
    public void abort() {
        try {
            fs.delete(staging, true);
        } catch (IOException e) {
            // Best effort: a leftover staging folder is ignored by readers and by the next run.
        }
    }
}

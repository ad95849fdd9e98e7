package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedding tables of a fit held on the executors, sharded by row ({@link EmbeddingShard}):
 * the driver never holds a table, and a round moves only the rows the workers look up.
 *
 * <p>A round is one Spark job. Each worker's trained rows of the previous round and the rows its
 * round looks up (known on the executor that holds the worker's block, see {@link RoundRows}) go to
 * the shards together; each shard averages the trained rows into its own in place ({@link
 * RowAverager}, the same arithmetic as the driver's, in partition order), then serves the requested
 * rows; these go to the workers, which train, and the dense tensors come to the driver with {@code
 * treeAggregate}. A round's cost follows the rows it touches. The last round's rows are averaged in
 * by a job of their own before the tables are read (snapshot, result). The shards are one cached,
 * locally checkpointed RDD for the whole fit (its lineage, and so every task, stays as small in
 * round 500 as in round 1), whose objects the updates change; every use checks the shard's version
 * ({@link EmbeddingShard}), so a retried update changes nothing and a stale read fails instead of
 * training on old rows.
 *
 * <p>Each epoch ends with a Parquet snapshot of the tables (in the checkpoint folder when there is
 * one: the checkpoint's tables). A round that fails for shards lost with their executor, or found
 * stale, makes the trainer restart the epoch from the previous snapshot, which by determinism gives
 * the same model. The best epoch's tables are its snapshot, read back when the fit ends.
 */
final class ShardedTables implements TrainingTables {
    private static final Logger LOG = LoggerFactory.getLogger(ShardedTables.class);
    /** Restarts of one epoch after lost shards before the fit fails. */
    private static final int MAX_RESTARTS = 2;

    private final JavaSparkContext sc;
    private final NetworkSpec spec;
    private final TrainingConfig config;
    private final int shards;
    private final Broadcast<RowRules> rules;
    private int restarts;
    private static final String TABLES_PREFIX = "tables-";
    private static final String CURRENT = "current";
    private static final String BEST = "best";
    /** The shards; one RDD from its creation (or a snapshot read) on, updated in place. */
    private JavaRDD<EmbeddingShard> current;
    /** The version the shards are at: counts the states of the tables during the fit, never reused. */
    private long version;
    /** The latest round's trained rows per worker (cached), not yet averaged into the shards; or null. */
    private JavaRDD<Tuple2<Integer, RoundResult.Contribution>> pending;
    /** Where the epoch snapshots go: the checkpoint folder, else below Spark's, else a temporary local folder. */
    private final Path snapshots;
    /** Whether {@link #snapshots} is this fit's own, removed when it ends. */
    private final boolean temporarySnapshots;
    /**
     * The snapshot the epoch began from (the previous epoch's, or the checkpoint's a fit resumed from); null
     * in a fit's first epoch (restarting it rebuilds the initial tables).
     */
    private Path epochSnapshot;
    /** The snapshot of the tables after the latest completed epoch (null before the first). */
    private Path latestSnapshot;
    /** The snapshot of the best epoch's tables; null while none was kept. */
    private Path bestSnapshot;

    /**
     * Tables at their initial values ({@link NetworkSpec#initialEmbeddingRow}), built on the executors in
     * one shard per worker.
     */
    ShardedTables(JavaSparkContext sc, NetworkSpec spec, TrainingConfig config, int workers,
                  Broadcast<RowRules> rules) {
        this.sc = sc;
        this.spec = spec;
        this.config = config;
        this.shards = workers;
        this.rules = rules;
        this.current = initialShards();
        if (config.checkpointDir != null) {
            snapshots = new Path(config.checkpointDir);
            temporarySnapshots = false;
        } else {
            org.apache.spark.api.java.Optional<String> sparkDir = sc.getCheckpointDir();
            temporarySnapshots = true;
            if (sparkDir.isPresent()) {
                snapshots = new Path(sparkDir.get(), "neuralrate-tables-" + UUID.randomUUID());
            } else {
                // The cluster's default file system (HDFS on most clusters; the local disk where there is none).
                try {
                    FileSystem fs = FileSystem.get(sc.hadoopConfiguration());
                    snapshots = fs.makeQualified(new Path("/tmp/neuralrate-tables-" + UUID.randomUUID()));
                    if (!sc.isLocal() && "file".equals(fs.getUri().getScheme())) {
                        LOG.warn("Epoch snapshots of the sharded embedding tables go to {}, a local folder: on a "
                                + "cluster of several machines, set checkpointDir or SparkContext.setCheckpointDir "
                                + "to a folder every machine shares (the snapshots hold the best epoch's tables and "
                                + "the restart point after a lost executor)", snapshots);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot reach the default file system for the epoch snapshots", e);
                }
            }
        }
    }

    private JavaRDD<EmbeddingShard> initialShards() {
        List<Integer> ids = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            ids.add(s);
        }
        NetworkSpec spec = this.spec;
        long seed = config.seed;
        int slots = config.optimizer.slots();
        int count = shards;
        long created = ++version;
        return settled(sc.parallelize(ids, shards).map(s -> EmbeddingShard.initial(spec, seed, s, count, slots,
                created)));
    }

    @Override
    public ModelState initialState() {
        float[][] dense = spec.initialDenseParameters(config.seed);
        float[][] params = new float[spec.embeddingTableCount() + dense.length][];
        Arrays.fill(params, 0, spec.embeddingTableCount(), new float[0]); // the tables live in the shards
        System.arraycopy(dense, 0, params, spec.embeddingTableCount(), dense.length);
        return new ModelState(params, ModelState.zeroState(config.optimizer.slots(), params), 0);
    }

    @Override
    public void startEpoch() {
        restarts = 0;
        Path previous = epochSnapshot;
        epochSnapshot = latestSnapshot;
        if (previous != null && !previous.equals(epochSnapshot)) {
            dropSnapshot(previous);
        }
    }

    /**
     * Writes the tables after the epoch to a Parquet snapshot: the next epoch restarts from it if an
     * executor is lost with its shards (a failure while writing restarts this epoch), and it holds the
     * epoch's tables if they are kept as the best.
     */
    @Override
    public void endEpoch(int epochsDone) {
        flush();
        Path folder = new Path(tablesFolder(snapshots, epochsDone), CURRENT);
        long expected = version;
        TableSnapshot.write(session(), current.map(shard -> shard.at(expected)), folder);
        latestSnapshot = folder;
    }

    /**
     * Whether {@code e} is a round that failed for want of shards lost with an executor (Spark's messages
     * for a missing locally checkpointed block or a lost executor) or found stale, and the epoch has
     * restarts left.
     */
    @Override
    public boolean canRestartEpoch(Exception e) {
        boolean lost = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            lost |= t instanceof SparkException && (m.contains("Checkpoint block") || m.contains("ExecutorLost")
                    || m.contains("executor") && m.contains("lost")
                    || m.contains(EmbeddingShard.StaleShardException.MARK));
        }
        return lost && restarts++ < MAX_RESTARTS;
    }

    /** Goes back to the tables the epoch began with, read from its snapshot (or rebuilt, in the first epoch). */
    @Override
    public void restartEpoch() {
        dropPending();
        JavaRDD<EmbeddingShard> lost = current;
        current = epochSnapshot == null ? initialShards() : read(session(), epochSnapshot);
        latestSnapshot = epochSnapshot;
        lost.unpersist(false);
    }

    /** Keeps the tables after the latest epoch (its snapshot) as the best epoch's. */
    @Override
    public void keepBest() {
        Path superseded = bestSnapshot;
        bestSnapshot = latestSnapshot;
        if (superseded != null && !superseded.equals(epochSnapshot) && !superseded.equals(bestSnapshot)) {
            dropSnapshot(superseded);
        }
    }

    /** Removes a snapshot of this fit's own folder (checkpoint folders are tidied by {@link #checkpoint}). */
    private void dropSnapshot(Path snapshot) {
        if (temporarySnapshots && !snapshot.equals(bestSnapshot) && !snapshot.equals(latestSnapshot)) {
            delete(snapshot.getParent());
        }
    }

    /**
     * Runs one round: averages the previous round's rows into the shards, serves each worker its rows,
     * trains, and averages the dense tensors on the driver. The round's trained rows wait for the next
     * round (or {@link #flush}).
     *
     * @return the round's result (dense tensors only; the tables live in the shards)
     */
    @Override
    public RoundResult round(JavaRDD<PackedPartition> packed, ModelState state, int epoch, int round, int workers) {
        NetworkSpec spec = this.spec;
        TrainingConfig config = this.config;
        Broadcast<RowRules> rules = this.rules;
        JavaRDD<Tuple2<Integer, int[][]>> needs = packed.mapPartitionsWithIndex((p, it) -> {
            RoundRows rows = RoundRows.of(it.next().train, spec, config, epoch, round, p, workers);
            return rows == null ? Collections.emptyIterator()
                    : Collections.singletonList(new Tuple2<>(p, rows.distinctTableRows())).iterator();
        }, true);
        Broadcast<ModelState> dense = sc.broadcast(state);
        JavaRDD<Tuple2<Integer, RoundResult.Contribution>> trained = null;
        boolean kept = false;
        try {
            trained = packed.zipPartitions(serve(needs, workers), (blocks, served) -> {
                int p = TaskContext.getPartitionId();
                DataBlock block = blocks.next().train;
                RoundRows rows = RoundRows.of(block, spec, config, epoch, round, p, workers);
                if (rows == null) {
                    return Collections.emptyIterator();
                }
                RoundResult.Contribution c = ShardTrainer.trainRound(block, spec, config, dense.value(), rows,
                        assemble(served, spec), rules.value().scaling(), workers, DistributedTrainer.taskThreads());
                return Collections.singletonList(new Tuple2<>(p, c)).iterator();
            }).persist(StorageLevel.MEMORY_AND_DISK());
            // Cut once computed: the next round's job reads these rows, and their lineage would otherwise
            // reach back through every earlier round (kept on the driver, with every round's shuffle files).
            trained.rdd().localCheckpoint();
            RoundResult result = trained.map(t -> new Tuple2<>(t._1(), t._2().withoutTables()))
                    .treeAggregate(new RoundResult(), (r, t) -> r.add(t._1(), t._2()), RoundResult::merge, 2);
            if (pending != null) { // averaged into the shards by this round's job
                version++;
                dropPending();
            }
            pending = trained; // checkpointed by now: tasks that read it no longer carry its closure or broadcast
            kept = true;
            return result;
        } finally {
            if (!kept && trained != null) { // the round failed
                trained.unpersist(false);
            }
            dense.destroy(false);
        }
    }

    @Override
    public double validationRmse(JavaRDD<PackedPartition> packed, ModelState state, int workers) {
        flush();
        NetworkSpec spec = this.spec;
        Broadcast<RowRules> rules = this.rules;
        float[][] denseParameters = Arrays.copyOfRange(state.parameters, spec.embeddingTableCount(),
                state.parameters.length);
        JavaRDD<Tuple2<Integer, int[][]>> needs = packed.mapPartitionsWithIndex((p, it) -> {
            DataBlock block = it.next().validation;
            return block.rows == 0 ? Collections.emptyIterator() : Collections.singletonList(
                    new Tuple2<>(p, RoundRows.distinct(RoundRows.scoringTableRows(block, spec, rules.value().trained()))))
                    .iterator();
        }, true);
        Broadcast<float[][]> dense = sc.broadcast(denseParameters);
        try {
            return DistributedTrainer.rmse(packed.zipPartitions(serve(needs, workers), (blocks, served) -> {
                DataBlock block = blocks.next().validation;
                double[] errors = block.rows == 0 ? new double[3]
                        : ShardEvaluator.errors(block, spec, dense.value(), assemble(served, spec), rules.value(),
                        DistributedTrainer.taskThreads());
                return Collections.singletonList(errors).iterator();
            }).collect());
        } finally {
            dense.destroy(false);
        }
    }

    /**
     * The best epoch's tables (else the latest ones) as cached Datasets in the {@link TableRows} layout. Their
     * values and biases alone stay cached, with a replica on a second executor: the shards, with their
     * optimizer state, are dropped when the tables close.
     */
    @Override
    public List<Dataset<Row>> result(float[][] kept, SparkSession spark) {
        flush();
        if (bestSnapshot != null && !bestSnapshot.equals(latestSnapshot)) {
            JavaRDD<EmbeddingShard> latest = current;
            current = read(spark, bestSnapshot);
            latest.unpersist(false);
        }
        JavaRDD<EmbeddingShard> shards = current;
        long expected = version;
        NetworkSpec spec = this.spec;
        Broadcast<RowRules> rules = this.rules;
        List<Dataset<Row>> out = new ArrayList<>();
        for (int e = 0; e < spec.numEmbeddings(); e++) {
            int column = e;
            JavaRDD<Row> rows = shards.flatMap(shard -> {
                TableSlice c = shard.at(expected).columns[column];
                List<Row> part = new ArrayList<>(c.size());
                for (int k = 0; k < c.size(); k++) {
                    if (rules.value().trained().keeps(spec, column, c.rows[k])) {
                        part.add(TableRows.row(c.rows[k], c.vectors, k, c.dim, c.biases[k]));
                    }
                }
                return part.iterator();
            });
            // With a replica on a cluster: the shards they come from are dropped when the fit ends.
            Dataset<Row> table = spark.createDataFrame(rows, TableRows.SCHEMA)
                    .persist(sc.isLocal() ? StorageLevel.MEMORY_AND_DISK() : StorageLevel.MEMORY_AND_DISK_2());
            table.count();
            out.add(table);
        }
        return out;
    }

    /**
     * Completes a checkpoint: the tables after the epoch are already in {@code tables-NNNNNN/current} beside
     * it (the epoch's snapshot; the checkpoint folder is where snapshots go); the best epoch's are copied
     * into {@code tables-NNNNNN/best} where they are elsewhere; then the checkpoint file is written, so a
     * checkpoint file exists only with complete tables. Table folders without a checkpoint file are removed.
     */
    @Override
    public void checkpoint(Checkpoint checkpoint, String dir) {
        Path folder = tablesFolder(new Path(dir), checkpoint.epochs());
        if (!new Path(folder, CURRENT).equals(latestSnapshot)) {
            throw new IllegalStateException("no snapshot of epoch " + checkpoint.epochs() + " in " + dir);
        }
        if (bestSnapshot != null && !bestSnapshot.getParent().equals(folder)) {
            Path copy = new Path(folder, BEST);
            try {
                FileSystem fs = folder.getFileSystem(sc.hadoopConfiguration());
                FileUtil.copy(fs, bestSnapshot, fs, copy, false, true, sc.hadoopConfiguration());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot copy the best epoch's tables into " + copy, e);
            }
            bestSnapshot = copy;
        }
        checkpoint.save(sc.hadoopConfiguration(), dir);
        tidyCheckpoints();
    }

    /** Removes the table folders of the checkpoint folder that no checkpoint file refers to. */
    private void tidyCheckpoints() {
        String dir = config.checkpointDir;
        try {
            FileSystem fs = snapshots.getFileSystem(sc.hadoopConfiguration());
            for (FileStatus f : fs.listStatus(snapshots)) {
                String name = f.getPath().getName();
                if (f.isDirectory() && name.matches(TABLES_PREFIX + "\\d{6}")
                        && !Checkpoint.exists(sc.hadoopConfiguration(), dir,
                        Integer.parseInt(name.substring(TABLES_PREFIX.length())))) {
                    fs.delete(f.getPath(), true);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot tidy the checkpoint tables in {}: {}", dir, e.getMessage());
        }
    }

    @Override
    public Optional<Checkpoint> resume(String dir, String fingerprint) {
        Optional<Checkpoint> found = Checkpoint.latest(sc.hadoopConfiguration(), dir, fingerprint);
        if (found.isPresent()) {
            Checkpoint c = found.get();
            Path folder = tablesFolder(new Path(dir), c.epochs());
            JavaRDD<EmbeddingShard> initial = current;
            latestSnapshot = new Path(folder, CURRENT);
            current = read(session(), latestSnapshot);
            initial.unpersist(false);
            if (!Double.isFinite(c.bestRmse)) {
                bestSnapshot = null; // no validation: the latest tables are the result
            } else if (c.bestEpoch == c.epochs()) {
                bestSnapshot = latestSnapshot;
            } else if (exists(new Path(folder, BEST))) {
                bestSnapshot = new Path(folder, BEST);
            } else {
                throw new IllegalStateException("checkpoint after epoch " + c.epochs() + " in " + dir
                        + " lacks the best epoch's tables (" + new Path(folder, BEST) + ")");
            }
        }
        return found;
    }

    private static Path tablesFolder(Path dir, int epochs) {
        return new Path(dir, String.format(Locale.ROOT, "%s%06d", TABLES_PREFIX, epochs));
    }

    private JavaRDD<EmbeddingShard> read(SparkSession spark, Path path) {
        return settled(TableSnapshot.read(spark, path, spec, shards, config.optimizer.slots(), ++version));
    }

    /** Drops the cached shards and the snapshots no checkpoint needs. */
    @Override
    public void close() {
        dropPending();
        current.unpersist(true); // blocking: an application that ends next would log the removals' errors
        if (temporarySnapshots) {
            delete(snapshots);
        } else {
            tidyCheckpoints(); // the snapshots since the last checkpoint
        }
    }

    private SparkSession session() {
        return SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    private boolean exists(Path path) {
        try {
            return path.getFileSystem(sc.hadoopConfiguration()).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot look for " + path, e);
        }
    }

    private void delete(Path path) {
        try {
            path.getFileSystem(sc.hadoopConfiguration()).delete(path, true);
        } catch (IOException e) {
            LOG.warn("Cannot remove the epoch snapshot {}: {}", path, e.getMessage());
        }
    }

    /**
     * Sends each worker's requests to the shards, with the trained rows of the previous round where they
     * wait, and the requested rows back, partitioned like the workers' blocks. Each shard first averages
     * the trained rows in (moving to the next version), then serves.
     */
    private JavaPairRDD<Integer, Served> serve(JavaRDD<Tuple2<Integer, int[][]>> needs, int workers) {
        int shards = this.shards;
        long from = version;
        long to = pending == null ? version : version + 1;
        JavaPairRDD<Integer, ShardMessage> messages = JavaPairRDD.fromJavaRDD(needs.flatMap(need -> {
            List<Tuple2<Integer, ShardMessage>> out = new ArrayList<>(shards);
            for (int s = 0; s < shards; s++) {
                out.add(new Tuple2<>(s, new Request(need._1(), ofShard(need._2(), s, shards))));
            }
            return out.iterator();
        })).partitionBy(new HashPartitioner(shards));
        if (pending != null) { // partitioned alike: the union keeps one partition per shard
            messages = messages.union(updates(pending));
        }
        JavaRDD<Tuple2<Integer, Served>> served = current.zipPartitions(messages, (shardIt, messageIt) -> {
            EmbeddingShard shard = shardIt.next();
            List<Update> updates = new ArrayList<>();
            List<Request> requests = new ArrayList<>();
            messageIt.forEachRemaining(m -> {
                if (m._2() instanceof Update) {
                    updates.add((Update) m._2());
                } else {
                    requests.add((Request) m._2());
                }
            });
            if (to != from) {
                apply(shard, updates, from, to);
            }
            List<Tuple2<Integer, Served>> out = new ArrayList<>(requests.size());
            for (Request request : requests) {
                out.add(new Tuple2<>(request.worker, new Served(shard.shard, shard.serve(request.rows, to))));
            }
            return out.iterator();
        });
        return JavaPairRDD.fromJavaRDD(served).partitionBy(new HashPartitioner(workers));
    }

    /** Averages the rows still waiting from the latest round into the shards, in a job of their own. */
    private void flush() {
        if (pending == null) {
            return;
        }
        long from = version;
        long to = version + 1;
        current.zipPartitions(updates(pending), (shardIt, updateIt) -> {
            EmbeddingShard shard = shardIt.next();
            List<Update> updates = new ArrayList<>();
            updateIt.forEachRemaining(u -> updates.add((Update) u._2()));
            apply(shard, updates, from, to);
            return Collections.singletonList(shard.shard).iterator();
        }).count();
        version = to;
        dropPending();
    }

    private void dropPending() {
        if (pending != null) {
            pending.unpersist(false);
            pending = null;
        }
    }

    /** Each worker's trained rows, cut per shard and sent to it. */
    private JavaPairRDD<Integer, ShardMessage> updates(JavaRDD<Tuple2<Integer, RoundResult.Contribution>> trained) {
        int shards = this.shards;
        return JavaPairRDD.fromJavaRDD(trained.flatMap(t -> {
            List<Tuple2<Integer, ShardMessage>> out = new ArrayList<>(shards);
            for (int s = 0; s < shards; s++) {
                out.add(new Tuple2<>(s, Update.of(t._1(), t._2(), s, shards)));
            }
            return out.iterator();
        })).partitionBy(new HashPartitioner(shards));
    }

    /** Averages the workers' updates into a shard, in partition order (the driver's: bit-identical sums). */
    private static void apply(EmbeddingShard shard, List<Update> received, long from, long to) {
        received.sort(Comparator.comparingInt(u -> u.partition));
        List<TableSlice[]> tables = new ArrayList<>(received.size());
        List<int[][]> lookups = new ArrayList<>(received.size());
        for (Update u : received) {
            tables.add(u.tables);
            lookups.add(u.lookups);
        }
        shard.apply(tables, lookups, from, to);
    }

    /** Caches shards, cuts their lineage once computed (so tasks do not grow round by round) and computes them. */
    private static JavaRDD<EmbeddingShard> settled(JavaRDD<EmbeddingShard> shards) {
        shards.persist(StorageLevel.MEMORY_AND_DISK());
        shards.rdd().localCheckpoint();
        try {
            shards.count();
        } catch (Exception e) { // also Spark's checked SparkException, rethrown as it is
            shards.unpersist(false);
            throw e;
        }
        return shards;
    }

    /** Per column, the rows of {@code rows} (ascending) that shard {@code shard} holds. */
    private static int[][] ofShard(int[][] rows, int shard, int shards) {
        int[][] out = new int[rows.length][];
        for (int e = 0; e < rows.length; e++) {
            out[e] = ofShard(rows[e], shard, shards);
        }
        return out;
    }

    private static int[] ofShard(int[] rows, int shard, int shards) {
        return Arrays.stream(rows).filter(r -> r % shards == shard).toArray();
    }

    /** Per column, one slice of the rows served from every shard, rows ascending. */
    private static TableSlice[] assemble(Iterator<Tuple2<Integer, Served>> served, NetworkSpec spec) {
        List<Served> parts = new ArrayList<>();
        served.forEachRemaining(t -> parts.add(t._2()));
        parts.sort(Comparator.comparingInt(s -> s.shard));
        TableSlice[] out = new TableSlice[spec.numEmbeddings()];
        for (int e = 0; e < out.length; e++) {
            List<TableSlice> column = new ArrayList<>(parts.size());
            for (Served s : parts) {
                column.add(s.tables[e]);
            }
            out[e] = TableSlice.merge(column, spec.embeddingDim(), column.get(0).slots());
        }
        return out;
    }

    /** What a shard receives in a round: a worker's request for rows, or a worker's trained rows. */
    private interface ShardMessage extends Serializable {}

    /** The rows of one shard that a worker's round looks up, per column, ascending. */
    private static final class Request implements ShardMessage {
        private static final long serialVersionUID = 1L;
        final int worker;
        final int[][] rows;

        Request(int worker, int[][] rows) {
            this.worker = worker;
            this.rows = rows;
        }
    }

    /** A shard's answer to a worker: its requested rows per column. */
    private static final class Served implements Serializable {
        private static final long serialVersionUID = 1L;
        final int shard;
        final TableSlice[] tables;

        Served(int shard, TableSlice[] tables) {
            this.shard = shard;
            this.tables = tables;
        }
    }

    /** A worker's trained rows of one shard, per column, with their lookup counts. */
    static final class Update implements ShardMessage {
        private static final long serialVersionUID = 1L;
        final int partition;
        final TableSlice[] tables;
        final int[][] lookups;

        private Update(int partition, TableSlice[] tables, int[][] lookups) {
            this.partition = partition;
            this.tables = tables;
            this.lookups = lookups;
        }

        /** The rows of worker {@code partition}'s contribution that shard {@code shard} holds. */
        static Update of(int partition, RoundResult.Contribution c, int shard, int shards) {
            TableSlice[] tables = new TableSlice[c.tables.length];
            int[][] lookups = new int[c.tables.length][];
            for (int e = 0; e < tables.length; e++) {
                TableSlice all = c.tables[e];
                int[] rows = ofShard(all.rows, shard, shards);
                tables[e] = all.select(rows, all::position);
                lookups[e] = new int[rows.length];
                for (int k = 0; k < rows.length; k++) {
                    lookups[e][k] = c.lookups[e][all.position(rows[k])];
                }
            }
            return new Update(partition, tables, lookups);
        }
    }
}

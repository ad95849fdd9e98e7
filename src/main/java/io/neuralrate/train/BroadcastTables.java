package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Embedding tables held whole on the driver: each round broadcasts the state, every worker cuts the
 * rows its round looks up, and the driver averages the rows the workers send back into its arrays.
 * The fast path for tables small enough to broadcast. A lost task is simply rerun by Spark from the
 * same broadcast and gives the same contribution.
 */
final class BroadcastTables implements TrainingTables {
    private final JavaSparkContext sc;
    private final NetworkSpec spec;
    private final TrainingConfig config;
    private final Broadcast<RowRules> rules;

    BroadcastTables(JavaSparkContext sc, NetworkSpec spec, TrainingConfig config, Broadcast<RowRules> rules) {
        this.sc = sc;
        this.spec = spec;
        this.config = config;
        this.rules = rules;
    }

    @Override
    public ModelState initialState() {
        float[][] initial = spec.initialParameters(config.seed);
        return new ModelState(initial, ModelState.zeroState(config.optimizer.slots(), initial), 0);
    }

    @Override
    public void startEpoch() {
    }

    @Override
    public void endEpoch(int epochsDone) {
    }

    @Override
    public RoundResult round(JavaRDD<PackedPartition> packed, ModelState state, int epoch, int round, int workers) {
        NetworkSpec spec = this.spec;
        TrainingConfig config = this.config;
        Broadcast<RowRules> rules = this.rules;
        Broadcast<ModelState> broadcast = sc.broadcast(state);
        try {
            return packed.mapPartitionsWithIndex((partition, it) -> {
                List<Tuple2<Integer, RoundResult.Contribution>> out = new ArrayList<>(1);
                DataBlock block = it.next().train;
                RoundRows rows = RoundRows.of(block, spec, config, epoch, round, partition, workers);
                if (rows != null) {
                    ModelState s = broadcast.value();
                    out.add(new Tuple2<>(partition, ShardTrainer.trainRound(block, spec, config, s, rows,
                            cut(s, rows.distinctTableRows(), spec), rules.value().scaling(), workers,
                            DistributedTrainer.taskThreads())));
                }
                return out.iterator();
            }, true).treeAggregate(new RoundResult(), (r, c) -> r.add(c._1(), c._2()), RoundResult::merge, 2);
        } finally {
            broadcast.destroy(false);
        }
    }

    @Override
    public boolean canRestartEpoch(Exception e) {
        return false; // Spark reruns a lost task from the broadcast by itself
    }

    @Override
    public void restartEpoch() {
        throw new UnsupportedOperationException();
    }

    @Override
    public double validationRmse(JavaRDD<PackedPartition> packed, ModelState state, int workers) {
        NetworkSpec spec = this.spec;
        Broadcast<RowRules> rules = this.rules;
        Broadcast<ModelState> broadcast = sc.broadcast(state);
        try {
            return DistributedTrainer.rmse(packed.map(p -> {
                if (p.validation.rows == 0) {
                    return new double[3];
                }
                ModelState s = broadcast.value();
                TableSlice[] tables = cut(s, RoundRows.distinct(RoundRows.scoringTableRows(p.validation, spec,
                        rules.value().trained())), spec);
                return ShardEvaluator.errors(p.validation, spec, dense(s.parameters, spec), tables, rules.value(),
                        DistributedTrainer.taskThreads());
            }).collect());
        } finally {
            broadcast.destroy(false);
        }
    }

    @Override
    public void keepBest() {
    }

    @Override
    public void checkpoint(Checkpoint checkpoint, String dir) {
        checkpoint.save(sc.hadoopConfiguration(), dir);
    }

    @Override
    public Optional<Checkpoint> resume(String dir, String fingerprint) {
        return Checkpoint.latest(sc.hadoopConfiguration(), dir, fingerprint);
    }

    @Override
    public List<Dataset<Row>> result(float[][] kept, SparkSession spark) {
        return TableRows.fromArrays(spark, spec, kept, rules.value().trained());
    }

    @Override
    public void close() {
    }

    /** Per embedding column, the given rows of the state's whole tables. */
    private static TableSlice[] cut(ModelState state, int[][] rows, NetworkSpec spec) {
        TableSlice[] out = new TableSlice[rows.length];
        for (int e = 0; e < rows.length; e++) {
            out[e] = TableSlice.cut(state.parameters, state.optimizerState, e, spec.embeddingDim(), rows[e]);
        }
        return out;
    }

    private static float[][] dense(float[][] parameters, NetworkSpec spec) {
        return Arrays.copyOfRange(parameters, spec.embeddingTableCount(), parameters.length);
    }
}

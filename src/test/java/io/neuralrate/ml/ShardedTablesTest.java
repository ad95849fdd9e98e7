package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embedding tables sharded on the executors give the same model, bit for bit, as tables broadcast whole
 * each round (the threshold forced either way), and a sharded fit resumed from its checkpoint (tables
 * restored from Parquet) ends where an uninterrupted one does.
 */
class ShardedTablesTest {
    private static final StructType SCHEMA = new StructType().add("user", DataTypes.IntegerType)
            .add("item", DataTypes.IntegerType).add("features", new VectorUDT()).add("label", DataTypes.DoubleType);
    private static SparkSession spark;
    private static Dataset<Row> data;

    @BeforeAll
    static void data() {
        spark = SparkTestSupport.spark();
        Random random = new Random(11);
        double[] userBias = random.doubles(400).map(d -> d - 0.5).toArray();
        double[] itemBias = random.doubles(150).map(d -> d - 0.5).toArray();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 6000; r++) {
            int u = random.nextInt(400);
            int i = random.nextInt(150);
            double x = random.nextGaussian();
            rows.add(RowFactory.create(u, i, Vectors.dense(x, random.nextGaussian()),
                    3 + 2 * userBias[u] + itemBias[i] + 0.3 * x + 0.1 * random.nextGaussian()));
        }
        data = spark.createDataFrame(rows, SCHEMA).repartition(3).cache();
    }

    private static MlpRegressor estimator(long threshold) {
        return new MlpRegressor().setEmbeddingCols(new String[] {"user", "item"}).setEmbeddingDim(6)
                .setHiddenLayers(new int[] {8}).setDropout(0.1).setMaxEpochs(4).setEarlyStoppingPatience(0)
                .setLearningRate(0.01).setSeed(5).setNumWorkers(3).setSyncInterval(4).setBatchSize(96)
                .setWeightDecay(0) // unregularised, so that a high learning rate overfits (the best-epoch test)
                .setTableBroadcastThreshold(threshold);
    }

    /** Counts the jobs and the most stages one of them lists. */
    private static final class StagesPerJob extends SparkListener {
        volatile int jobs;
        volatile int most;

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            jobs++;
            most = Math.max(most, start.stageInfos().size());
        }
    }

    private static void assertSameModel(MlpRegressionModel expected, MlpRegressionModel actual) {
        assertEquals(expected.embeddingTablesDigest(), actual.embeddingTablesDigest(), "embedding tables");
        float[][] a = expected.network().dense();
        float[][] b = actual.network().dense();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0f, "dense tensor " + i);
        }
        List<Row> pa = expected.transform(data).select("prediction").collectAsList();
        List<Row> pb = actual.transform(data).select("prediction").collectAsList();
        assertEquals(pa, pb, "predictions");
    }

    @Test
    void shardedAndBroadcastTablesGiveTheSameModelBitForBit() throws Exception {
        MlpRegressionModel broadcast = estimator(Long.MAX_VALUE).fit(data);
        StagesPerJob stages = new StagesPerJob();
        spark.sparkContext().addSparkListener(stages);
        MlpRegressionModel sharded;
        try {
            sharded = estimator(-1).fit(data);
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(stages);
        }
        // A round's job lists the stages of its whole lineage, run or skipped: with each round's rows keeping the
        // lineage of the rounds before (3c21def fixed that), the last round of an epoch listed 48; now 6 at most.
        System.out.println("sharded fit: " + stages.jobs + " jobs, at most " + stages.most + " stages in one");
        assertTrue(stages.jobs > 60, stages.jobs + " jobs");
        assertTrue(stages.most <= 12, "a job of the fit lists " + stages.most + " stages");
        assertFalse(broadcast.summary().tablesSharded());
        assertTrue(sharded.summary().tablesSharded());
        assertArrayEquals(broadcast.summary().validationRmse(), sharded.summary().validationRmse(), 0.0,
                "validation RMSE of every epoch");
        assertArrayEquals(broadcast.summary().trainingLoss(), sharded.summary().trainingLoss(), 0.0);
        assertSameModel(broadcast, sharded);
        assertNotEquals(broadcast.embeddingTablesDigest(), estimator(-1).setSeed(6).fit(data)
                .embeddingTablesDigest(), "the digest tells models apart");
    }

    @Test
    void theBestEpochsTablesAreKeptWhenLaterEpochsAreWorse() {
        // A learning rate high enough to overfit within a few epochs: the best epoch's tables come back
        // from its snapshot, not from the shards in memory.
        // (Its validation RMSE: 0.207, 0.163, 0.165, 0.162, 0.145, 0.146, 0.150: best at epoch 5 of 7.)
        MlpRegressionModel broadcast = estimator(Long.MAX_VALUE).setLearningRate(0.05).setMaxEpochs(7).fit(data);
        MlpRegressionModel sharded = estimator(-1).setLearningRate(0.05).setMaxEpochs(7).fit(data);
        assertTrue(sharded.summary().bestEpoch() < sharded.summary().totalEpochs(),
                "a later epoch must be worse for this test to mean anything: best " + sharded.summary().bestEpoch()
                        + " of " + java.util.Arrays.toString(sharded.summary().validationRmse()));
        assertSameModel(broadcast, sharded);
    }

    @Test
    void aShardedFitResumedFromItsCheckpointEndsWithTheSameModel(@TempDir Path dir) throws Exception {
        MlpRegressionModel uninterrupted = estimator(-1).fit(data);
        String checkpoints = dir.resolve("checkpoints").toString();
        // A fit that checkpoints after every epoch; a second fit with the same settings resumes from the
        // newest checkpoint (after epoch 3, tables read back from Parquet) and trains only the last epoch.
        MlpRegressionModel checkpointed = estimator(-1).setCheckpointDir(checkpoints).fit(data);
        try (Stream<Path> files = Files.list(dir.resolve("checkpoints"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("tables-000003")),
                    "the tables are stored with the checkpoint");
        }
        MlpRegressionModel resumed = estimator(-1).setCheckpointDir(checkpoints).fit(data);
        assertEquals(4, resumed.summary().totalEpochs());
        assertArrayEquals(Arrays.copyOf(checkpointed.summary().epochSeconds(), 3),
                Arrays.copyOf(resumed.summary().epochSeconds(), 3), 0.0,
                "epochs 1-3 come from the checkpoint (their timings with them), not from training them again");
        assertSameModel(uninterrupted, resumed);

        // Without validation rows the latest epoch's tables are the result, resumed or not.
        String plain = dir.resolve("without-validation").toString();
        MlpRegressionModel whole = estimator(-1).setValidationFraction(0).fit(data);
        estimator(-1).setValidationFraction(0).setCheckpointDir(plain).fit(data);
        assertSameModel(whole, estimator(-1).setValidationFraction(0).setCheckpointDir(plain).fit(data));
    }
}

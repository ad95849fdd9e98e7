package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlpRegressorTest {
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSupport.spark();
        train = SparkTestSupport.nonLinear(spark, 8000, 1).cache();
        test = SparkTestSupport.nonLinear(spark, 2000, 2).cache();
    }

    @Test
    void learnsNonLinearFunction() {
        MlpRegressionModel model = new MlpRegressor().setMaxEpochs(40).setSeed(7).setNumWorkers(2)
                .setLearningRate(3e-3).setBatchSize(128).fit(train);
        double rmse = SparkTestSupport.rmse(model.transform(test), "label", "prediction");
        double std = SparkTestSupport.std(test, "label");
        System.out.printf("non-linear: RMSE %.4f, label std (= mean-predictor RMSE) %.4f%n", rmse, std);
        assertTrue(rmse < 0.3 * std, "RMSE " + rmse + " should be below 0.3 x std " + std);
        MlpTrainingSummary summary = model.summary();
        assertEquals(summary.totalEpochs(), summary.validationRmse().length);
        assertTrue(summary.trainingLoss()[summary.totalEpochs() - 1] < summary.trainingLoss()[0]);
        assertTrue(summary.samplesPerSecond()[0] > 0 && summary.epochSeconds()[0] > 0);
        assertTrue(summary.validationRows() > 0 && summary.trainingRows() + summary.validationRows() == 8000);
    }

    @Test
    void transformKeepsAllInputColumnsAndRows() {
        MlpRegressionModel model = new MlpRegressor().setMaxEpochs(1).setHiddenLayers(new int[] {8}).fit(train);
        Dataset<Row> scored = model.transform(test.withColumn("extra", org.apache.spark.sql.functions.lit("x")));
        assertArrayEquals(new String[] {"features", "label", "extra", "prediction"}, scored.columns());
        assertEquals(test.count(), scored.count());
        assertEquals(0, scored.filter("isnan(prediction) or prediction is null").count());
    }

    @Test
    void predictionsAreClippedToTheTrainingLabelsRangeUnlessARangeIsSet() {
        MlpRegressor mlp = new MlpRegressor().setMaxEpochs(2).setHiddenLayers(new int[] {8});
        MlpRegressionModel clipped = mlp.fit(train);
        Row range = train.agg(functions.min("label"), functions.max("label")).first();
        // The labels are trained as floats: the range is theirs.
        assertEquals(range.getDouble(0), clipped.getMinPrediction(), 1e-4);
        assertEquals(range.getDouble(1), clipped.getMaxPrediction(), 1e-4);
        // Features 50 times those trained on: a ReLU network extrapolates far outside the labels' range.
        List<Row> far = new ArrayList<>();
        for (Row r : test.limit(200).collectAsList()) {
            double[] x = ((org.apache.spark.ml.linalg.Vector) r.get(0)).toArray();
            for (int j = 0; j < x.length; j++) {
                x[j] *= 50;
            }
            far.add(RowFactory.create(Vectors.dense(x), r.getDouble(1)));
        }
        Dataset<Row> extreme = spark.createDataFrame(far, test.schema());
        Row scored = clipped.transform(extreme).agg(functions.min("prediction"), functions.max("prediction")).first();
        assertTrue(scored.getDouble(0) >= clipped.getMinPrediction() && scored.getDouble(1) <= clipped.getMaxPrediction(),
                scored + " within " + range);

        MlpRegressionModel open = clipped.copy(ParamMap.empty()).setMinPrediction(Double.NEGATIVE_INFINITY)
                .setMaxPrediction(Double.POSITIVE_INFINITY);
        Row unclipped = open.transform(extreme).agg(functions.min("prediction"), functions.max("prediction")).first();
        assertTrue(unclipped.getDouble(0) < range.getDouble(0) || unclipped.getDouble(1) > range.getDouble(1),
                "the unclipped predictions leave the range (else the test shows nothing): " + unclipped);
        MlpRegressionModel explicit = mlp.copy(ParamMap.empty()).setMaxEpochs(1).setMinPrediction(-7).fit(train);
        assertEquals(-7, explicit.getMinPrediction(), "a range set on the estimator is kept");
    }

    @Test
    void withStandardizationTrainingDoesNotCareHowEachFeatureIsScaled() {
        // Each feature stretched and shifted differently (as an age beside one-hot columns would be).
        Dataset<Row> rescaledTrain = rescaled(train);
        Dataset<Row> rescaledTest = rescaled(test);
        MlpRegressor mlp = new MlpRegressor().setMaxEpochs(3).setHiddenLayers(new int[] {16}).setSeed(8)
                .setNumWorkers(2);
        double original = rmse(mlp.fit(train), test);
        // The standardised inputs agree up to float rounding (which SGD then amplifies a little), and the model
        // takes the raw, rescaled features: its first layer has the scaling folded in.
        double stretched = rmse(mlp.fit(rescaledTrain), rescaledTest);
        assertEquals(original, stretched, 0.05 * original, "RMSE on the original vs the rescaled features");
        double unstandardized = rmse(mlp.copy(ParamMap.empty()).setStandardization(false).fit(rescaledTrain),
                rescaledTest);
        assertTrue(unstandardized > 1.2 * original, "without standardization the rescaled features train worse "
                + "(else the test shows nothing): " + unstandardized + " vs " + original);
    }

    private static Dataset<Row> rescaled(Dataset<Row> rows) {
        return rows.map((org.apache.spark.api.java.function.MapFunction<Row, Row>) r -> {
            double[] x = ((org.apache.spark.ml.linalg.Vector) r.get(0)).toArray();
            for (int j = 0; j < x.length; j++) {
                x[j] = x[j] * Math.pow(10, j % 4 - 1) + 100 * j;
            }
            return RowFactory.create(Vectors.dense(x), r.getDouble(1));
        }, org.apache.spark.sql.Encoders.row(rows.schema()));
    }

    private static double rmse(MlpRegressionModel model, Dataset<Row> rows) {
        return SparkTestSupport.rmse(model.setMinPrediction(Double.NEGATIVE_INFINITY)
                .setMaxPrediction(Double.POSITIVE_INFINITY).transform(rows), "label", "prediction");
    }

    @Test
    void seedSettingTrainsThroughPipelineWithVectorAssembler() {
        // The seed: 10 user + 10 item features concatenated -> Linear(20,32) -> ReLU -> Linear(32,1), MSE, Adam.
        Random random = new Random(3);
        List<Row> rows = new ArrayList<>();
        StructType schema = new StructType();
        for (int j = 0; j < 10; j++) {
            schema = schema.add("u" + j, DataTypes.DoubleType);
        }
        for (int j = 0; j < 10; j++) {
            schema = schema.add("i" + j, DataTypes.DoubleType);
        }
        schema = schema.add("rating", DataTypes.DoubleType);
        for (int r = 0; r < 6000; r++) {
            Object[] v = new Object[21];
            double dot = 0;
            for (int j = 0; j < 20; j++) {
                v[j] = random.nextGaussian();
            }
            for (int j = 0; j < 10; j++) {
                dot += (Double) v[j] * (Double) v[10 + j];
            }
            v[20] = 3 + Math.tanh(dot / 2) * 1.5 + 0.1 * random.nextGaussian();
            rows.add(RowFactory.create(v));
        }
        Dataset<Row>[] split = spark.createDataFrame(rows, schema).randomSplit(new double[] {0.8, 0.2}, 5);
        String[] inputs = java.util.Arrays.copyOf(schema.fieldNames(), 20);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(inputs).setOutputCol("features"),
            new MlpRegressor().setLabelCol("rating").setHiddenLayers(new int[] {32}).setOptimizer("adam")
                    .setLoss("mse").setLearningRate(3e-3).setMaxEpochs(40).setSeed(11)});
        PipelineModel model = pipeline.fit(split[0]);
        double rmse = SparkTestSupport.rmse(model.transform(split[1]), "rating", "prediction");
        double meanRmse = SparkTestSupport.std(split[1], "rating");
        System.out.printf("seed setting: RMSE %.4f vs mean predictor %.4f%n", rmse, meanRmse);
        assertTrue(rmse < 0.6 * meanRmse, "RMSE " + rmse + " vs mean predictor " + meanRmse);
    }

    @Test
    void oneAndFourPartitionsReachTheSameAccuracy() {
        double[] rmse = new double[2];
        int[] workers = {1, 4};
        for (int k = 0; k < 2; k++) {
            // Default optimizer settings, trained to convergence (early stopping); batchSize is the global
            // batch, split over the workers. (A 3x larger learning rate made both runs noisy: +-20% by seed.)
            MlpRegressionModel model = new MlpRegressor().setNumWorkers(workers[k]).setMaxEpochs(300)
                    .setEarlyStoppingPatience(10).setSeed(5).fit(train);
            rmse[k] = SparkTestSupport.rmse(model.transform(test), "label", "prediction");
        }
        System.out.printf("1 worker RMSE %.4f, 4 workers RMSE %.4f%n", rmse[0], rmse[1]);
        assertEquals(rmse[0], rmse[1], 0.05 * rmse[0], "4-worker RMSE within 5% of 1-worker RMSE");
    }

    @Test
    void returnsTheParametersOfTheBestEpochNotTheLast() {
        // Few rows and a wide network with a large step: validation error turns up after a few epochs.
        Dataset<Row> rows = SparkTestSupport.nonLinear(spark, 600, 11)
                .withColumn("isVal", org.apache.spark.sql.functions.rand(3).lt(0.5)).cache();
        MlpRegressionModel model = new MlpRegressor().setHiddenLayers(new int[] {256, 256}).setLearningRate(1e-2)
                .setBatchSize(32).setMaxEpochs(15).setEarlyStoppingPatience(15).setSeed(4).setNumWorkers(2)
                .setValidationIndicatorCol("isVal").fit(rows);
        MlpTrainingSummary summary = model.summary();
        assertEquals(15, summary.totalEpochs());
        double best = summary.validationRmse()[summary.bestEpoch() - 1];
        double last = summary.validationRmse()[summary.totalEpochs() - 1];
        assertTrue(last > best * 1.001, "the setting must make the last epoch clearly worse than the best: "
                + java.util.Arrays.toString(summary.validationRmse()));
        double kept = SparkTestSupport.rmse(model.transform(rows.filter("isVal")), "label", "prediction");
        System.out.printf("best epoch %d of %d: validation RMSE %.6f, kept model %.6f%n", summary.bestEpoch(),
                summary.totalEpochs(), best, kept);
        assertEquals(best, kept, 1e-4 * best, "the model scores its validation rows as its best epoch did");
    }

    @Test
    void sameSeedSameDataSamePartitionsGivesIdenticalPredictions() {
        MlpRegressor mlp = new MlpRegressor().setNumWorkers(3).setMaxEpochs(3).setSeed(99).setDropout(0.1);
        double[] first = predictions(mlp.fit(train));
        double[] second = predictions(mlp.fit(train));
        assertArrayEquals(first, second, 0.0);
        double[] otherSeed = predictions(mlp.copy(ParamMap.empty()).setSeed(100).fit(train));
        assertNotEquals(first[0], otherSeed[0]);
    }

    private static double[] predictions(MlpRegressionModel model) {
        return model.transform(test).select("prediction").as(org.apache.spark.sql.Encoders.DOUBLE()).collectAsList()
                .stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void pipelineModelSaveAndLoadGivesIdenticalPredictionsInANewSession(@TempDir Path dir) throws Exception {
        Dataset<Row> raw = train.selectExpr("features as f", "label");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new org.apache.spark.ml.feature.StandardScaler().setInputCol("f").setOutputCol("features"),
            new MlpRegressor().setMaxEpochs(2).setHiddenLayers(new int[] {16, 8}).setMinPrediction(-3)});
        PipelineModel model = pipeline.fit(raw);
        String path = dir.resolve("model").toString();
        model.write().overwrite().save(path);

        SparkSession other = spark.newSession();
        PipelineModel loaded = PipelineModel.load(path);
        Dataset<Row> input = other.createDataFrame(test.selectExpr("features as f", "label").collectAsList(),
                test.selectExpr("features as f", "label").schema());
        double[] before = model.transform(input).select("prediction").as(org.apache.spark.sql.Encoders.DOUBLE())
                .collectAsList().stream().mapToDouble(Double::doubleValue).toArray();
        double[] after = loaded.transform(input).select("prediction").as(org.apache.spark.sql.Encoders.DOUBLE())
                .collectAsList().stream().mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(before, after, 0.0);
        MlpRegressionModel mlp = (MlpRegressionModel) loaded.stages()[1];
        assertEquals(-3.0, mlp.getMinPrediction());
        assertArrayEquals(new int[] {16, 8}, mlp.getHiddenLayers());
        assertTrue(java.nio.file.Files.exists(dir.resolve("model/stages/1_" + mlp.uid() + "/data/network.nrmlp")));
    }

    @Test
    void estimatorSavesAndLoadsItsParams(@TempDir Path dir) throws Exception {
        MlpRegressor mlp = new MlpRegressor().setHiddenLayers(new int[] {7, 5}).setLearningRate(0.02).setLoss("huber")
                .setEmbeddingCols(new String[] {"u", "i"});
        String path = dir.resolve("est").toString();
        mlp.save(path);
        MlpRegressor loaded = MlpRegressor.load(path);
        assertEquals(mlp.uid(), loaded.uid());
        assertArrayEquals(new int[] {7, 5}, loaded.getHiddenLayers());
        assertEquals(0.02, loaded.getLearningRate());
        assertEquals("huber", loaded.getLoss());
        assertArrayEquals(new String[] {"u", "i"}, loaded.getEmbeddingCols());
    }

    @Test
    void crossValidatorPicksAModelOverHiddenLayersAndLearningRate() {
        MlpRegressor mlp = new MlpRegressor().setMaxEpochs(4).setSeed(1);
        // The grid written out (ParamGridBuilder takes a Scala Iterable for array Params, whose Java
        // converters differ between Scala 2.12 and 2.13).
        List<ParamMap> maps = new ArrayList<>();
        for (int[] hidden : List.of(new int[] {4}, new int[] {32, 16})) {
            for (double rate : new double[] {1e-4, 3e-3}) {
                maps.add(new ParamMap().put(mlp.hiddenLayers(), hidden).put(mlp.learningRate(), rate));
            }
        }
        ParamMap[] grid = maps.toArray(new ParamMap[0]);
        RegressionEvaluator evaluator = new RegressionEvaluator().setMetricName("rmse");
        CrossValidatorModel cv = new CrossValidator().setEstimator(mlp).setEstimatorParamMaps(grid)
                .setEvaluator(evaluator).setNumFolds(2).setSeed(3).fit(train.limit(3000));
        double[] metrics = cv.avgMetrics();
        assertEquals(4, metrics.length);
        for (double m : metrics) {
            assertTrue(Double.isFinite(m) && m > 0);
        }
        MlpRegressionModel best = (MlpRegressionModel) cv.bestModel();
        int bestIndex = 0;
        for (int i = 1; i < metrics.length; i++) {
            if (metrics[i] < metrics[bestIndex]) {
                bestIndex = i;
            }
        }
        assertArrayEquals((int[]) grid[bestIndex].apply(mlp.hiddenLayers()), best.getHiddenLayers());
        assertEquals((Double) grid[bestIndex].apply(mlp.learningRate()), best.getLearningRate());
        double testRmse = evaluator.evaluate(best.transform(test));
        assertTrue(testRmse < SparkTestSupport.std(test, "label"));
    }

    @Test
    void paramsAreValidatedWithAMessageNamingTheParam() {
        MlpRegressor mlp = new MlpRegressor();
        IllegalArgumentException lr = assertThrows(IllegalArgumentException.class, () -> mlp.setLearningRate(-1));
        assertTrue(lr.getMessage().contains("learningRate") && lr.getMessage().contains("> 0"), lr.getMessage());
        IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
                () -> mlp.setHiddenLayers(new int[0]));
        assertTrue(hidden.getMessage().contains("hiddenLayers"), hidden.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mlp.setOptimizer("rmsprop"));
        assertThrows(IllegalArgumentException.class, () -> mlp.setDropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> mlp.setColdStartStrategy("guess"));
    }

    @Test
    void everyParamIsVisibleExplainedAndCopied() {
        MlpRegressor mlp = new MlpRegressor().setBatchSize(64);
        String[] expected = {"featuresCol", "labelCol", "predictionCol", "weightCol", "embeddingCols",
            "embeddingIdCols", "hiddenLayers", "activation", "dropout", "embeddingDim", "loss", "optimizer",
            "learningRate", "weightDecay", "batchSize", "maxEpochs", "seed", "validationFraction",
            "validationIndicatorCol", "earlyStoppingPatience", "numWorkers", "syncInterval", "checkpointDir",
            "checkpointInterval", "coldStartStrategy", "minPrediction", "maxPrediction", "unknownIndexRate",
            "tableBroadcastThreshold", "standardization"};
        String explained = mlp.explainParams();
        for (String name : expected) {
            assertTrue(mlp.hasParam(name), name);
            assertTrue(explained.contains(name + ":"), name);
        }
        assertEquals(expected.length, mlp.params().length);
        MlpRegressor copy = mlp.copy(new ParamMap().put(mlp.maxEpochs().w(3)));
        assertEquals(64, copy.getBatchSize());
        assertEquals(3, copy.getMaxEpochs());
        assertEquals(50, mlp.getMaxEpochs());
        assertEquals(mlp.uid(), copy.uid());
    }

    @Test
    void missingOrWronglyTypedColumnsAreNamed() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new MlpRegressor().setLabelCol("rating").fit(train));
        assertTrue(missing.getMessage().contains("'rating'"), missing.getMessage());
        Dataset<Row> wrong = train.selectExpr("features", "cast(label as string) as label");
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> new MlpRegressor().fit(wrong));
        assertTrue(type.getMessage().contains("'label'") && type.getMessage().contains("numeric"), type.getMessage());
        Dataset<Row> badVector = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, Double.NaN), 1.0)),
                train.schema());
        Exception nan = assertThrows(Exception.class, () -> new MlpRegressor().setMaxEpochs(1).fit(badVector));
        assertTrue(rootMessage(nan).contains("'features'") && rootMessage(nan).contains("NaN"), rootMessage(nan));
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }
}

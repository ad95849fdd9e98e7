package io.neuralrate.bench;

import io.neuralrate.data.FeatureAssembly;
import io.neuralrate.data.FeatureJoin;
import io.neuralrate.data.MovieLensImporter;
import io.neuralrate.data.Tables;
import io.neuralrate.job.JobConfig;
import io.neuralrate.job.MetricsReport;
import io.neuralrate.job.OutputLayout;
import io.neuralrate.ml.MlpRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.regression.FMRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * NeuralRate against Spark's own rating models on the canonical MovieLens-100K folds, in one run.
 *
 * <p>For each fold {@code uN.base}/{@code uN.test}, a seeded 10% of the base ratings is held out for
 * tuning; every model picks its settings from a small grid by RMSE on that holdout only, never on
 * the test fold. Spark's models are then refitted on the whole base fold; NeuralRate models keep the
 * fit that used the holdout for early stopping (so they train on 90% of the fold). Test predictions
 * a model cannot make (ALS on a user or item absent from the base fold) fall back to the base mean.
 */
final class MovieLensBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLensBenchmark.class);
    static final String HOLDOUT = "tuning_holdout";
    private static final String PREDICTION = "prediction";

    private MovieLensBenchmark() {}

    /** One setting of a model: the stages that follow the feature assembly. */
    record Candidate(String settings, Supplier<List<PipelineStage>> stages) {
    }

    /**
     * A model in the comparison.
     *
     * @param name as shown in the table
     * @param idEmbeddings whether its feature assembly indexes user and item ids
     * @param earlyStopsOnHoldout whether it uses the holdout itself (NeuralRate) instead of being refitted
     * @param candidates its tuning grid
     */
    record ModelSpec(String name, boolean idEmbeddings, boolean earlyStopsOnHoldout, List<Candidate> candidates) {
    }

    /** One model on one fold. */
    record FoldResult(String settings, double rmse, double mae, double trainSeconds) {
    }

    /** A fold's rows: base ratings joined with features (with the tuning-holdout flag) and test ratings. */
    record Fold(String name, Dataset<Row> train, Dataset<Row> test, double trainMean) {
        void unpersist() {
            train.unpersist();
            test.unpersist();
        }
    }

    static Fold fold(SparkSession spark, String dir, int n, long seed) {
        MovieLensImporter.MovieLensTables tables = MovieLensImporter.read(spark, dir, "u" + n + ".base");
        Dataset<Row> train = FeatureJoin.join(tables.ratings(), tables.users(), tables.items())
                .withColumn(HOLDOUT, functions.rand(seed + n).lt(0.1)).cache();
        Dataset<Row> test = FeatureJoin.join(MovieLensImporter.readRatings(spark, dir, "u" + n + ".test"),
                tables.users(), tables.items()).cache();
        double mean = train.selectExpr("avg(" + Tables.RATING + ")").first().getDouble(0);
        return new Fold("u" + n, train, test, mean);
    }

    /** The models compared, each with its tuning grid; {@code epochs} caps NeuralRate's epochs. */
    static List<ModelSpec> models(int epochs, long seed) {
        List<ModelSpec> models = new ArrayList<>();
        List<Candidate> featuresOnly = new ArrayList<>();
        for (double lr : new double[] {1e-3, 3e-3}) {
            featuresOnly.add(new Candidate("hidden [64,32], lr " + lr, () -> List.of(neuralRate(epochs, seed)
                    .setLearningRate(lr))));
        }
        models.add(new ModelSpec("NeuralRate, features only", false, true, featuresOnly));
        List<Candidate> embeddings = new ArrayList<>();
        for (int dim : new int[] {64, 128}) {
            embeddings.add(new Candidate("hidden [64,32], embeddingDim " + dim + ", weightDecay 1e-3",
                    () -> List.of(neuralRate(epochs, seed).setEmbeddingDim(dim).setWeightDecay(1e-3)
                            .setEmbeddingCols(new String[] {FeatureAssembly.USER_INDEX, FeatureAssembly.ITEM_INDEX}))));
        }
        models.add(new ModelSpec("NeuralRate, features + id embeddings", true, true, embeddings));
        List<Candidate> als = new ArrayList<>();
        for (int rank : new int[] {10, 25, 50}) {
            for (double reg : new double[] {0.05, 0.1, 0.2}) {
                als.add(new Candidate("rank " + rank + ", regParam " + reg, () -> List.of(new ALS()
                        .setUserCol(FeatureAssembly.USER_INDEX).setItemCol(FeatureAssembly.ITEM_INDEX)
                        .setRatingCol(Tables.RATING).setRank(rank).setRegParam(reg).setMaxIter(15).setSeed(seed)
                        .setColdStartStrategy("nan"))));
            }
        }
        models.add(new ModelSpec("Spark ALS", true, false, als));
        List<Candidate> fm = new ArrayList<>();
        for (double reg : new double[] {0.001, 0.01}) {
            fm.add(new Candidate("one-hot ids + features, factorSize 8, regParam " + reg
                    + ", adamW stepSize 0.1, 50 iterations", () -> List.of(
                    new OneHotEncoder().setInputCols(new String[] {FeatureAssembly.USER_INDEX,
                        FeatureAssembly.ITEM_INDEX}).setOutputCols(new String[] {"user_onehot", "item_onehot"})
                            .setHandleInvalid("keep").setDropLast(false),
                    new VectorAssembler().setInputCols(new String[] {"user_onehot", "item_onehot",
                        FeatureAssembly.FEATURES}).setOutputCol("fm_features"),
                    new FMRegressor().setFeaturesCol("fm_features").setLabelCol(Tables.RATING)
                            .setFactorSize(8).setRegParam(reg).setStepSize(0.1).setMaxIter(50).setSeed(seed))));
        }
        models.add(new ModelSpec("Spark FMRegressor", true, false, fm));
        List<Candidate> linear = new ArrayList<>();
        for (double reg : new double[] {0.0, 0.01, 0.1}) {
            linear.add(new Candidate("features, regParam " + reg, () -> List.of(new LinearRegression()
                    .setFeaturesCol(FeatureAssembly.FEATURES).setLabelCol(Tables.RATING).setRegParam(reg))));
        }
        models.add(new ModelSpec("Spark LinearRegression", false, false, linear));
        return models;
    }

    private static MlpRegressor neuralRate(int epochs, long seed) {
        // The assembly standardises the features already; weight decay as the candidates set it (none by default).
        return new MlpRegressor().setFeaturesCol(FeatureAssembly.FEATURES).setLabelCol(Tables.RATING)
                .setValidationIndicatorCol(HOLDOUT).setMaxEpochs(epochs).setSeed(seed)
                .setMinPrediction(1).setMaxPrediction(5).setStandardization(false).setWeightDecay(0);
    }

    /** Tunes one model on the fold's holdout and evaluates the chosen setting on the test fold. */
    static FoldResult evaluate(ModelSpec model, Fold fold) {
        Set<String> exclude = Set.of(Tables.USER_ID, Tables.ITEM_ID, Tables.RATING, "timestamp", HOLDOUT);
        FeatureAssembly assembly = FeatureAssembly.plan(fold.train(), exclude, List.of(), true, model.idEmbeddings());
        Dataset<Row> tuning = fold.train().filter(col(HOLDOUT).equalTo(false));
        Dataset<Row> holdout = fold.train().filter(col(HOLDOUT));
        Candidate best = null;
        PipelineModel bestModel = null;
        double bestRmse = Double.POSITIVE_INFINITY;
        double bestSeconds = 0;
        for (Candidate candidate : model.candidates()) {
            long start = System.nanoTime();
            PipelineModel fitted = pipeline(assembly, candidate).fit(model.earlyStopsOnHoldout() ? fold.train() : tuning);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rmse = errors(fitted.transform(holdout), fold.trainMean())[0];
            LOG.info("{} {} [{}]: holdout RMSE {}", fold.name(), model.name(), candidate.settings(), rmse);
            if (rmse < bestRmse) {
                best = candidate;
                bestModel = fitted;
                bestRmse = rmse;
                bestSeconds = seconds;
            }
        }
        if (!model.earlyStopsOnHoldout()) {
            long start = System.nanoTime();
            bestModel = pipeline(assembly, best).fit(fold.train());
            bestSeconds = (System.nanoTime() - start) / 1e9;
        }
        double[] test = errors(bestModel.transform(fold.test()), fold.trainMean());
        LOG.info("{} {} [{}]: test RMSE {} MAE {}", fold.name(), model.name(), best.settings(), test[0], test[1]);
        return new FoldResult(best.settings(), test[0], test[1], bestSeconds);
    }

    private static Pipeline pipeline(FeatureAssembly assembly, Candidate candidate) {
        List<PipelineStage> stages = new ArrayList<>(assembly.stages());
        stages.addAll(candidate.stages().get());
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
    }

    /** RMSE and MAE of the {@code prediction} column; NaN predictions count as the training mean. */
    static double[] errors(Dataset<Row> predictions, double fallback) {
        Row r = predictions.select(functions.coalesce(functions.nanvl(col(PREDICTION), functions.lit(fallback)),
                functions.lit(fallback)).minus(col(Tables.RATING)).as("err"))
                .agg(functions.sqrt(functions.avg(col("err").multiply(col("err")))), functions.avg(functions.abs(col("err"))))
                .first();
        return new double[] {r.getDouble(0), r.getDouble(1)};
    }

    /**
     * Damped user + item bias baseline (the classic "baseline predictor"): the base mean plus an item
     * bias, then a user bias on the residual, each shrunk by {@code damping} pseudo-ratings.
     *
     * @return RMSE and MAE on the test fold
     */
    static double[] biasBaseline(Fold fold, double damping) {
        double mu = fold.trainMean();
        Dataset<Row> items = fold.train().groupBy(Tables.ITEM_ID).agg(
                functions.sum(col(Tables.RATING).minus(mu)).divide(functions.count("*").plus(damping)).as("b_i"));
        Dataset<Row> users = fold.train().join(items, Tables.ITEM_ID).groupBy(Tables.USER_ID).agg(
                functions.sum(col(Tables.RATING).minus(mu).minus(col("b_i")))
                        .divide(functions.count("*").plus(damping)).as("b_u"));
        Dataset<Row> test = fold.test();
        Dataset<Row> scored = test.join(items, test.col(Tables.ITEM_ID).equalTo(items.col(Tables.ITEM_ID)), "left")
                .drop(items.col(Tables.ITEM_ID))
                .join(users, test.col(Tables.USER_ID).equalTo(users.col(Tables.USER_ID)), "left")
                .drop(users.col(Tables.USER_ID))
                .withColumn(PREDICTION, functions.lit(mu).plus(functions.coalesce(col("b_i"), functions.lit(0.0)))
                        .plus(functions.coalesce(col("b_u"), functions.lit(0.0))));
        return errors(scored, mu);
    }

    static String run(SparkSession spark, String dir, int[] folds, int epochs, long seed, JobConfig config,
                      String runDate) {
        List<ModelSpec> models = models(epochs, seed);
        Map<String, List<FoldResult>> results = new LinkedHashMap<>();
        List<double[]> bias = new ArrayList<>();
        for (int n : folds) {
            Fold fold = fold(spark, dir, n, seed);
            bias.add(biasBaseline(fold, 10));
            for (ModelSpec model : models) {
                results.computeIfAbsent(model.name(), k -> new ArrayList<>()).add(evaluate(model, fold));
            }
            fold.unpersist();
        }
        String table = table(results, bias, folds);
        System.out.println(table);
        return OutputLayout.writeAtomically(spark.sparkContext().hadoopConfiguration(),
                config.string("output.root") + "/benchmark", runDate, out -> {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("dataset", dir);
                    json.put("folds", folds);
                    json.put("models", results);
                    json.put("bias_baseline_rmse", bias.stream().map(b -> b[0]).toList());
                    MetricsReport.writeJson(out.fileSystem(), out.staged("movielens-100k.json"), json);
                    MetricsReport.writeText(out.fileSystem(), out.staged("movielens-100k.md"), table);
                });
    }

    private static String table(Map<String, List<FoldResult>> results, List<double[]> bias, int[] folds) {
        StringBuilder md = new StringBuilder("| model | settings chosen on the holdout (folds) | mean RMSE | mean MAE |");
        for (int n : folds) {
            md.append(" u").append(n).append(" RMSE |");
        }
        md.append(" mean train s |\n|---|---|---:|---:|").append("---:|".repeat(folds.length)).append("---:|\n");
        for (Map.Entry<String, List<FoldResult>> e : results.entrySet()) {
            List<FoldResult> rs = e.getValue();
            Map<String, Long> chosen = rs.stream().collect(Collectors.groupingBy(FoldResult::settings, TreeMap::new,
                    Collectors.counting()));
            String settings = chosen.entrySet().stream().map(c -> c.getKey() + " (" + c.getValue() + ")")
                    .collect(Collectors.joining("; "));
            md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f |", e.getKey(), settings,
                    rs.stream().mapToDouble(FoldResult::rmse).average().orElse(Double.NaN),
                    rs.stream().mapToDouble(FoldResult::mae).average().orElse(Double.NaN)));
            for (FoldResult r : rs) {
                md.append(String.format(Locale.ROOT, " %.4f |", r.rmse()));
            }
            md.append(String.format(Locale.ROOT, " %.1f |%n", rs.stream().mapToDouble(FoldResult::trainSeconds)
                    .average().orElse(Double.NaN)));
        }
        md.append(String.format(Locale.ROOT, "| user + item bias baseline | damping 10 | %.4f | %.4f |",
                bias.stream().mapToDouble(b -> b[0]).average().orElse(Double.NaN),
                bias.stream().mapToDouble(b -> b[1]).average().orElse(Double.NaN)));
        for (double[] b : bias) {
            md.append(String.format(Locale.ROOT, " %.4f |", b[0]));
        }
        md.append(" – |\n");
        return md.toString();
    }
}

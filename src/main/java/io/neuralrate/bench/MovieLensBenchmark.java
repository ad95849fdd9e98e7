package io.neuralrate.bench;

import io.neuralrate.data.FeatureAssembly;
import io.neuralrate.data.FeatureJoin;
import io.neuralrate.data.MovieLensImporter;
import io.neuralrate.data.Tables;
import io.neuralrate.job.JobConfig;
import io.neuralrate.job.MetricsReport;
import io.neuralrate.job.OutputLayout;
import io.neuralrate.job.TrainJob;
import io.neuralrate.ml.MlpRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.regression.FMRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.apache.spark.sql.functions.col;

/**
 * NeuralRate against Spark's own rating models and a damped bias baseline on the canonical
 * MovieLens-100K folds, in one run, every model treated the same way.
 *
 * <ul>
 *   <li>Tuning, once, on one base fold only ({@code u1.base} by default): a seeded 10% of it is a
 *       holdout; every model fits on the other 90% and is scored on the holdout, with the same budget
 *       of fits, searched by {@link PatternSearch} from a stated starting point (coarse steps, then
 *       fine, on grids without edges). NeuralRate early-stops on that holdout, so its epoch count is
 *       chosen there too.</li>
 *   <li>Evaluation: with the chosen settings (and epoch count), every model fits on the whole base
 *       fold {@code uN.base} and predicts {@code uN.test}, for every fold.</li>
 *   <li>Scoring: every model's predictions are clipped to the rating scale [1, 5]; a pair a model
 *       cannot score (ALS on an id absent from the base fold) gets the base fold's mean.</li>
 * </ul>
 * The tuning fold's test set is the clean figure. The other folds' test sets lie inside the tuning
 * fold's base ratings ({@code u2.test ... u5.test} make up {@code u1.base}), so their figures were
 * informed by the tuning and are labelled so.
 */
final class MovieLensBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLensBenchmark.class);
    static final String HOLDOUT = "tuning_holdout";
    private static final String PREDICTION = "prediction";
    /** The MovieLens rating scale, to which every model's predictions are clipped. */
    static final double MIN_RATING = 1;
    static final double MAX_RATING = 5;
    /** Epochs without improvement on the holdout before NeuralRate's tuning fits stop. */
    private static final int PATIENCE = 5;

    private MovieLensBenchmark() {}

    /** A model with its settings fixed. */
    interface Setting {
        /** Fits on the fold's base rows outside the holdout; returns the holdout's RMSE. */
        double tune(Fold fold);

        /** What tuning chose beyond the searched values (NeuralRate: its epoch count); empty if nothing. */
        default String chosenByTuning() {
            return "";
        }

        /** Fits on every base row of the fold (with what tuning chose); returns the test rows with predictions. */
        Dataset<Row> fitAndScoreTest(Fold fold);
    }

    /**
     * A model in the comparison.
     *
     * @param name as shown in the table
     * @param dimensions the hyperparameters its tuning searches, from their starting values
     * @param fixed what it does not tune, as shown in the table
     * @param setting the model with given values of the dimensions
     */
    record ModelSpec(String name, List<PatternSearch.Dimension> dimensions, String fixed,
                     Function<double[], Setting> setting) {
        String describe(double[] values) {
            StringBuilder s = new StringBuilder();
            for (int d = 0; d < values.length; d++) {
                PatternSearch.Dimension dim = dimensions.get(d);
                s.append(d == 0 ? "" : ", ").append(dim.name()).append(' ').append(dim.integral()
                        ? String.valueOf((long) values[d]) : String.format(Locale.ROOT, "%.3g", values[d]));
            }
            return s.toString();
        }
    }

    /** One model on one fold's test set. */
    record FoldResult(String fold, double rmse, double mae, double trainSeconds) {
    }

    /** A model's tuning (its trials' values in the order of {@code dimensions}) and its results on every fold. */
    record ModelResult(String name, String settings, String fixed, List<String> dimensions,
                       PatternSearch.Outcome tuning, List<FoldResult> folds) {
    }

    /** A model's search and the setting it chose (which holds what tuning chose beyond the values). */
    record Tuned(PatternSearch.Outcome search, Setting chosen) {
    }

    /** A fold's rows: base ratings joined with features (with the tuning-holdout flag) and test ratings. */
    record Fold(String name, Dataset<Row> train, Dataset<Row> test, double trainMean) {
        Dataset<Row> tuningRows() {
            return train.filter(col(HOLDOUT).equalTo(false));
        }

        Dataset<Row> holdoutRows() {
            return train.filter(col(HOLDOUT));
        }

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

    /**
     * The models compared, each with the hyperparameters its tuning searches and where the search
     * starts: the library's defaults where it has them (Spark's for ALS, NeuralRate's own), else a
     * common value. {@code epochs} caps NeuralRate's epochs while tuning.
     */
    static List<ModelSpec> models(int epochs, long seed) {
        List<ModelSpec> models = new ArrayList<>();
        models.add(new ModelSpec("NeuralRate, features only", List.of(
                PatternSearch.Dimension.strength("learningRate", 1e-3, 1e-5, 0.1),
                PatternSearch.Dimension.strength("weightDecay", 1e-3, 1e-7, 1)),
                "hidden [64,32], Adam, batch 256",
                v -> new NeuralRateSetting(false, epochs, () -> neuralRate(seed).setLearningRate(v[0])
                        .setWeightDecay(v[1]))));
        models.add(new ModelSpec("NeuralRate, features + id embeddings", List.of(
                PatternSearch.Dimension.size("embeddingDim", 64, 2, 1024),
                PatternSearch.Dimension.strength("learningRate", 1e-3, 1e-5, 0.1),
                PatternSearch.Dimension.strength("weightDecay", 1e-3, 1e-7, 1)),
                "hidden [64,32], Adam, batch 256",
                v -> new NeuralRateSetting(true, epochs, () -> neuralRate(seed).setEmbeddingDim((int) v[0])
                        .setLearningRate(v[1]).setWeightDecay(v[2])
                        .setEmbeddingCols(new String[] {FeatureAssembly.USER_INDEX, FeatureAssembly.ITEM_INDEX}))));
        models.add(new ModelSpec("Spark ALS", List.of(
                PatternSearch.Dimension.size("rank", 10, 2, 1024),
                PatternSearch.Dimension.strength("regParam", 0.1, 1e-5, 100)),
                "15 iterations",
                v -> new PipelineSetting(true, () -> List.of(new ALS()
                        .setUserCol(FeatureAssembly.USER_INDEX).setItemCol(FeatureAssembly.ITEM_INDEX)
                        .setRatingCol(Tables.RATING).setRank((int) v[0]).setRegParam(v[1]).setMaxIter(15)
                        .setSeed(seed).setColdStartStrategy("nan")))));
        models.add(new ModelSpec("Spark FMRegressor", List.of(
                PatternSearch.Dimension.strength("regParam", 0.01, 1e-7, 100),
                PatternSearch.Dimension.strength("stepSize", 0.1, 1e-4, 10)),
                "one-hot ids + features, factorSize 8, adamW, 50 iterations",
                v -> new PipelineSetting(true, () -> List.of(
                        new OneHotEncoder().setInputCols(new String[] {FeatureAssembly.USER_INDEX,
                            FeatureAssembly.ITEM_INDEX}).setOutputCols(new String[] {"user_onehot", "item_onehot"})
                                .setHandleInvalid("keep").setDropLast(false),
                        new VectorAssembler().setInputCols(new String[] {"user_onehot", "item_onehot",
                            FeatureAssembly.FEATURES}).setOutputCol("fm_features"),
                        new FMRegressor().setFeaturesCol("fm_features").setLabelCol(Tables.RATING)
                                .setFactorSize(8).setRegParam(v[0]).setStepSize(v[1]).setMaxIter(50).setSeed(seed)))));
        models.add(new ModelSpec("Spark LinearRegression", List.of(
                PatternSearch.Dimension.strength("regParam", 0.01, 1e-7, 100)),
                "features",
                v -> new PipelineSetting(false, () -> List.of(new LinearRegression()
                        .setFeaturesCol(FeatureAssembly.FEATURES).setLabelCol(Tables.RATING).setRegParam(v[0])))));
        models.add(new ModelSpec("user + item bias (damped)", List.of(
                PatternSearch.Dimension.strength("itemDamping", 10, 1e-3, 1e5),
                PatternSearch.Dimension.strength("userDamping", 10, 1e-3, 1e5)),
                "base mean + item bias + user bias on the residual",
                v -> new BiasSetting(v[0], v[1])));
        return models;
    }

    private static MlpRegressor neuralRate(long seed) {
        // The assembly standardises the features already.
        return new MlpRegressor().setFeaturesCol(FeatureAssembly.FEATURES).setLabelCol(Tables.RATING).setSeed(seed)
                .setMinPrediction(MIN_RATING).setMaxPrediction(MAX_RATING).setStandardization(false);
    }

    private static FeatureAssembly assembly(Fold fold, boolean idEmbeddings) {
        Set<String> exclude = Set.of(Tables.USER_ID, Tables.ITEM_ID, Tables.RATING, "timestamp", HOLDOUT);
        return FeatureAssembly.plan(fold.train(), exclude, List.of(), true, idEmbeddings);
    }

    private static Pipeline pipeline(FeatureAssembly assembly, List<PipelineStage> model) {
        List<PipelineStage> stages = new ArrayList<>(assembly.stages());
        stages.addAll(model);
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
    }

    /** A Spark ML model after the feature assembly: tuned on 90% of the base fold, refitted on all of it. */
    private record PipelineSetting(boolean idEmbeddings, Supplier<List<PipelineStage>> stages) implements Setting {
        @Override
        public double tune(Fold fold) {
            PipelineModel fitted = pipeline(assembly(fold, idEmbeddings), stages.get()).fit(fold.tuningRows());
            return errors(fitted.transform(fold.holdoutRows()), fold.trainMean())[0];
        }

        @Override
        public Dataset<Row> fitAndScoreTest(Fold fold) {
            return pipeline(assembly(fold, idEmbeddings), stages.get()).fit(fold.train()).transform(fold.test());
        }
    }

    /**
     * NeuralRate: tuned by early stopping on the holdout (training on the other 90%), which also
     * chooses its epoch count; refitted on the whole base fold for exactly that many epochs.
     */
    private static final class NeuralRateSetting implements Setting {
        private final boolean idEmbeddings;
        private final int maxEpochs;
        private final Supplier<MlpRegressor> regressor;
        private int epochs;

        NeuralRateSetting(boolean idEmbeddings, int maxEpochs, Supplier<MlpRegressor> regressor) {
            this.idEmbeddings = idEmbeddings;
            this.maxEpochs = maxEpochs;
            this.regressor = regressor;
        }

        @Override
        public double tune(Fold fold) {
            MlpRegressor mlp = regressor.get().setValidationIndicatorCol(HOLDOUT).setMaxEpochs(maxEpochs)
                    .setEarlyStoppingPatience(PATIENCE);
            PipelineModel fitted = pipeline(assembly(fold, idEmbeddings), List.of(mlp)).fit(fold.train());
            epochs = TrainJob.mlpOf(fitted).summary().bestEpoch();
            return errors(fitted.transform(fold.holdoutRows()), fold.trainMean())[0];
        }

        @Override
        public String chosenByTuning() {
            return "epochs " + epochs;
        }

        @Override
        public Dataset<Row> fitAndScoreTest(Fold fold) {
            if (epochs == 0) {
                throw new IllegalStateException("tune first: the epoch count is chosen on the holdout");
            }
            MlpRegressor mlp = regressor.get().setMaxEpochs(epochs).setValidationFraction(0)
                    .setEarlyStoppingPatience(0);
            return pipeline(assembly(fold, idEmbeddings), List.of(mlp)).fit(fold.train()).transform(fold.test());
        }
    }

    /** The damped user + item bias baseline, see {@link #biasPredictions}. */
    private record BiasSetting(double itemDamping, double userDamping) implements Setting {
        @Override
        public double tune(Fold fold) {
            return errors(biasPredictions(fold.tuningRows(), fold.holdoutRows(), itemDamping, userDamping),
                    fold.trainMean())[0];
        }

        @Override
        public Dataset<Row> fitAndScoreTest(Fold fold) {
            return biasPredictions(fold.train(), fold.test(), itemDamping, userDamping);
        }
    }

    /**
     * RMSE and MAE of the {@code prediction} column, clipped to [{@link #MIN_RATING}, {@link #MAX_RATING}]
     * for every model alike; null or NaN predictions count as {@code fallback} (the base mean).
     */
    static double[] errors(Dataset<Row> predictions, double fallback) {
        Column known = functions.coalesce(functions.nanvl(col(PREDICTION), functions.lit(fallback)),
                functions.lit(fallback));
        Column clipped = functions.least(functions.greatest(known, functions.lit(MIN_RATING)),
                functions.lit(MAX_RATING));
        Row r = predictions.select(clipped.minus(col(Tables.RATING)).as("err"))
                .agg(functions.sqrt(functions.avg(col("err").multiply(col("err")))), functions.avg(functions.abs(col("err"))))
                .first();
        return new double[] {r.getDouble(0), r.getDouble(1)};
    }

    /**
     * The damped user + item bias baseline (the classic "baseline predictor"), fitted on {@code train}
     * and applied to {@code scored}: the mean rating plus an item bias, then a user bias on the
     * residual, each shrunk towards 0 by its damping (pseudo-ratings). Unknown ids get a bias of 0.
     */
    static Dataset<Row> biasPredictions(Dataset<Row> train, Dataset<Row> scored, double itemDamping,
                                        double userDamping) {
        double mu = train.selectExpr("avg(" + Tables.RATING + ")").first().getDouble(0);
        Dataset<Row> items = train.groupBy(Tables.ITEM_ID).agg(
                functions.sum(col(Tables.RATING).minus(mu)).divide(functions.count("*").plus(itemDamping)).as("b_i"));
        Dataset<Row> users = train.join(items, Tables.ITEM_ID).groupBy(Tables.USER_ID).agg(
                functions.sum(col(Tables.RATING).minus(mu).minus(col("b_i")))
                        .divide(functions.count("*").plus(userDamping)).as("b_u"));
        return scored.join(items, scored.col(Tables.ITEM_ID).equalTo(items.col(Tables.ITEM_ID)), "left")
                .drop(items.col(Tables.ITEM_ID))
                .join(users, scored.col(Tables.USER_ID).equalTo(users.col(Tables.USER_ID)), "left")
                .drop(users.col(Tables.USER_ID))
                .withColumn(PREDICTION, functions.lit(mu).plus(functions.coalesce(col("b_i"), functions.lit(0.0)))
                        .plus(functions.coalesce(col("b_u"), functions.lit(0.0))));
    }

    /** The bias baseline with one damping for both biases, fitted on the whole base fold: RMSE and MAE on its test set. */
    static double[] biasBaseline(Fold fold, double damping) {
        return errors(biasPredictions(fold.train(), fold.test(), damping, damping), fold.trainMean());
    }

    /** Tunes {@code model} on {@code fold}'s holdout within {@code budget} fits; returns the chosen setting. */
    static Tuned tune(ModelSpec model, Fold fold, int budget) {
        Map<String, Setting> fitted = new HashMap<>();
        PatternSearch.Outcome outcome = PatternSearch.minimise(model.dimensions(), budget, values -> {
            Setting setting = model.setting().apply(values);
            double rmse = setting.tune(fold);
            LOG.info("tuning {} [{}{}]: holdout RMSE {}", model.name(), model.describe(values),
                    setting.chosenByTuning().isEmpty() ? "" : ", " + setting.chosenByTuning(), rmse);
            fitted.put(Arrays.toString(values), setting);
            return rmse;
        });
        return new Tuned(outcome, fitted.get(Arrays.toString(outcome.best())));
    }

    /** Fits the tuned {@code setting} on the fold's base rows and scores its test rows. */
    static FoldResult evaluate(Setting setting, Fold fold) {
        long start = System.nanoTime();
        Dataset<Row> scored = setting.fitAndScoreTest(fold).cache();
        double[] errors = errors(scored, fold.trainMean());
        double seconds = (System.nanoTime() - start) / 1e9;
        scored.unpersist();
        return new FoldResult(fold.name(), errors[0], errors[1], seconds);
    }

    static String run(SparkSession spark, String dir, int tuningFold, int[] folds, int budget, int epochs, long seed,
                      JobConfig config, String runDate) {
        List<ModelSpec> models = models(epochs, seed);
        List<Tuned> tuned = new ArrayList<>();
        Fold tuning = fold(spark, dir, tuningFold, seed);
        for (ModelSpec model : models) {
            Tuned t = tune(model, tuning, budget);
            tuned.add(t);
            LOG.info("{}: chose [{}] after {} fits (local optimum: {})", model.name(), model.describe(t.search().best()),
                    t.search().trials().size(), t.search().converged());
        }
        tuning.unpersist();
        List<List<FoldResult>> results = new ArrayList<>();
        models.forEach(m -> results.add(new ArrayList<>()));
        for (int n : folds) {
            Fold fold = fold(spark, dir, n, seed);
            for (int m = 0; m < models.size(); m++) {
                FoldResult r = evaluate(tuned.get(m).chosen(), fold);
                LOG.info("{} {}: test RMSE {} MAE {}", fold.name(), models.get(m).name(), r.rmse(), r.mae());
                results.get(m).add(r);
            }
            fold.unpersist();
        }
        List<ModelResult> report = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            ModelSpec model = models.get(m);
            PatternSearch.Outcome search = tuned.get(m).search();
            String extra = tuned.get(m).chosen().chosenByTuning();
            report.add(new ModelResult(model.name(), model.describe(search.best()) + (extra.isEmpty() ? "" : ", " + extra),
                    model.fixed(), model.dimensions().stream().map(PatternSearch.Dimension::name).toList(), search,
                    results.get(m)));
        }
        String table = table(report, "u" + tuningFold, budget);
        System.out.println(table);
        return OutputLayout.writeAtomically(spark.sparkContext().hadoopConfiguration(),
                config.string("output.root") + "/benchmark", runDate, out -> {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("dataset", dir);
                    json.put("tuning_fold", "u" + tuningFold);
                    json.put("budget_fits", budget);
                    json.put("folds", folds);
                    json.put("models", report);
                    MetricsReport.writeJson(out.fileSystem(), out.staged("movielens-100k.json"), json);
                    MetricsReport.writeText(out.fileSystem(), out.staged("movielens-100k.md"), table);
                });
    }

    private static String table(List<ModelResult> report, String tuningFold, int budget) {
        List<String> folds = report.get(0).folds().stream().map(FoldResult::fold).toList();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "| model | settings chosen on %s.base's holdout | fixed | fits (of %d) | local optimum | holdout RMSE |",
                tuningFold, budget));
        for (String f : folds) {
            md.append(' ').append(f).append(".test RMSE").append(f.equals(tuningFold) ? " (clean)" : "").append(" |");
        }
        md.append(" mean RMSE | mean MAE | mean fit s |\n|---|---|---|---:|---|---:|")
                .append("---:|".repeat(folds.size())).append("---:|---:|---:|\n");
        for (ModelResult r : report) {
            PatternSearch.Outcome t = r.tuning();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.4f |", r.name(), r.settings(), r.fixed(),
                    t.trials().size(), (t.converged() ? "yes" : "no: budget spent")
                            + (t.atBound().isEmpty() ? "" : " (at the bound of " + String.join(", ", t.atBound()) + ")"),
                    t.bestScore()));
            for (FoldResult f : r.folds()) {
                md.append(String.format(Locale.ROOT, " %.4f |", f.rmse()));
            }
            md.append(String.format(Locale.ROOT, " %.4f | %.4f | %.1f |%n",
                    r.folds().stream().mapToDouble(FoldResult::rmse).average().orElse(Double.NaN),
                    r.folds().stream().mapToDouble(FoldResult::mae).average().orElse(Double.NaN),
                    r.folds().stream().mapToDouble(FoldResult::trainSeconds).average().orElse(Double.NaN)));
        }
        return md.toString();
    }
}

package io.neuralrate.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.neuralrate.ml.MlpTrainingSummary;
import io.neuralrate.ml.EpochSummary;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a run's {@code metrics.json}, other reports and its training-curve picture. */
public final class MetricsReport {
    private MetricsReport() {}

    /**
     * Writes {@code metrics} as indented JSON.
     *
     * @param fs the file system
     * @param path the file
     * @param metrics the content
     * @throws IOException if it cannot be written
     */
    public static void writeJson(FileSystem fs, String path, Map<String, Object> metrics) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(path), true)) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue((OutputStream) out, metrics);
        }
    }

    /**
     * Writes {@code text} in UTF-8.
     *
     * @param fs the file system
     * @param path the file
     * @param text the content
     * @throws IOException if it cannot be written
     */
    public static void writeText(FileSystem fs, String path, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(path), true)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    static List<Map<String, Object>> history(MlpTrainingSummary summary) {
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochSummary e : summary.history()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("training_loss", e.trainingLoss());
            m.put("validation_rmse", Double.isNaN(e.validationRmse()) ? null : e.validationRmse());
            m.put("seconds", e.seconds());
            m.put("samples_per_second", e.samplesPerSecond());
            m.put("rounds", e.rounds());
            m.put("round_seconds", e.roundSeconds());
            m.put("worker_compute_seconds", e.computeSeconds());
            epochs.add(m);
        }
        return epochs;
    }

    /** Draws training loss and validation RMSE per epoch (two axes) as a PNG. */
    static void writeCurve(FileSystem fs, String path, MlpTrainingSummary summary) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries loss = new XYSeries("training loss (standardised)");
        XYSeries rmse = new XYSeries("validation RMSE");
        for (EpochSummary e : summary.history()) {
            loss.add(e.epoch(), e.trainingLoss());
            if (!Double.isNaN(e.validationRmse())) {
                rmse.add(e.epoch(), e.validationRmse());
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("NeuralRate training", "epoch", "training loss",
                new XYSeriesCollection(loss), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        if (rmse.getItemCount() > 0) {
            NumberAxis right = new NumberAxis("validation RMSE");
            right.setAutoRangeIncludesZero(false);
            plot.setRangeAxis(1, right);
            plot.setDataset(1, new XYSeriesCollection(rmse));
            plot.mapDatasetToRangeAxis(1, 1);
            plot.setRenderer(1, new XYLineAndShapeRenderer(true, true));
        }
        try (FSDataOutputStream out = fs.create(new Path(path), true)) {
            ChartUtils.writeChartAsPNG(out, chart, 900, 500);
        }
    }
}

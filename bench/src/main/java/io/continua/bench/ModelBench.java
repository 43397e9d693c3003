package io.continua.bench;

import io.continua.peft.Vectors;
import io.continua.peft.data.LabeledText;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.DeltaKind;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.EncoderFlops;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.ForwardGraph;
import io.continua.peft.onnx.OnnxRuntimeOracle;
import io.continua.peft.serving.DjlEncoder;
import io.continua.peft.serving.ServingDelta;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.TokenBatch;
import io.continua.peft.tokenizer.Tokens;
import io.continua.peft.training.DeltaTrainer;
import io.continua.peft.training.TrainingConfig;
import io.continua.peft.training.TrainingGraph;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model core's figures: parity of the TensorFlow rebuild with ONNX Runtime; inference through
 * the DJL serving path at batch 1 and 32 (tokenization included): texts and real tokens per
 * second, the share of executed work that is padding, GFLOP/s on real tokens against a MatMul peak
 * measured in the same run; and training examples per second for each delta kind.
 */
final class ModelBench {
    private static final int PARITY_TEXTS = 256;
    private static final int BATCH = 32;
    private static final int TRAINING_STEPS = 15;

    private final List<LabeledText> texts;
    private final Path exportRoot;
    private final int singleTexts;
    private final PrintStream progress;

    ModelBench(List<LabeledText> texts, Path exportRoot, int singleTexts, PrintStream progress) {
        this.texts = texts;
        this.exportRoot = exportRoot;
        this.singleTexts = singleTexts;
        this.progress = progress;
    }

    BenchResult run() throws Exception {
        PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
        BenchResult result = new BenchResult("model");
        try (TextTokenizer tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH)) {
            measureParity(encoder, tokenizer, result);
            Delta head = Delta.initialize(new HeadConfig(), encoder.architecture(),
                    texts.stream().map(LabeledText::label).distinct().toList(), 77);
            try (DjlEncoder served = DjlEncoder.open(encoder, exportRoot); ServingDelta delta = served.prepare(head)) {
                result.put("infer_per_s_b1", measureSingles(served, delta, tokenizer));
                measureBatches(served, delta, tokenizer, encoder.architecture(), result);
            }
        }
        measureTraining(encoder, result);
        progress.println("model: measuring the MatMul peak ...");
        double peak = MatMulPeak.measure(20);
        result.put("gflops_peak", peak);
        result.put("real_gflops_ratio", (Double) result.figures().get("real_gflops_b32") / peak);
        result.put("texts", texts.size());
        return result;
    }

    private void measureParity(PretrainedEncoder encoder, TextTokenizer tokenizer, BenchResult result) throws Exception {
        progress.printf("model: parity with ONNX Runtime over %d texts ...%n", Math.min(PARITY_TEXTS, texts.size()));
        double worstCosine = 1;
        double maxDifference = 0;
        Delta head = Delta.initialize(new HeadConfig(), encoder.architecture(), List.of("a", "b"), 2);
        ForwardGraph graph = EncoderRuntime.of(encoder).forward(DeltaLayout.headOnly());
        try (InputStream onnx = PretrainedEncoder.class.getResourceAsStream(PretrainedEncoder.MINILM_ONNX);
             OnnxRuntimeOracle oracle = new OnnxRuntimeOracle(onnx)) {
            for (int start = 0; start < Math.min(PARITY_TEXTS, texts.size()); start += BATCH) {
                List<Tokens> tokens = tokenizer.tokenize(textsOf(start, Math.min(start + BATCH, texts.size())));
                float[][] ours = graph.run(tokens, head.inputs()).pooled();
                float[][] expected = oracle.pooled(TokenBatch.padded(tokens));
                for (int row = 0; row < ours.length; row++) {
                    worstCosine = Math.min(worstCosine, Vectors.cosine(ours[row], expected[row]));
                    maxDifference = Math.max(maxDifference, Vectors.maxAbsDifference(ours[row], expected[row]));
                }
            }
        }
        result.put("parity_min_cosine", worstCosine);
        result.put("parity_max_abs_diff", maxDifference);
    }

    private double measureSingles(DjlEncoder served, ServingDelta delta, TextTokenizer tokenizer) {
        int count = Math.min(singleTexts, texts.size());
        progress.printf("model: batch 1 over %d texts ...%n", count);
        for (int i = 0; i < 10; i++) {
            served.run(tokenizer.tokenize(textsOf(i, i + 1)), delta);
        }
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            served.run(tokenizer.tokenize(textsOf(i, i + 1)), delta);
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    /**
     * Batches of 32 consecutive texts: texts and real tokens per second; the share of the executed
     * work spent on padding (only attention lays texts out to the longest one's length); GFLOP/s
     * executed and on real tokens alone.
     */
    private void measureBatches(DjlEncoder served, ServingDelta delta, TextTokenizer tokenizer,
                                EncoderArchitecture architecture, BenchResult result) {
        progress.printf("model: batch %d over %d texts ...%n", BATCH, texts.size());
        served.run(tokenizer.tokenize(textsOf(0, Math.min(BATCH, texts.size()))), delta);
        double executed = 0;
        double real = 0;
        long tokens = 0;
        long started = System.nanoTime();
        for (int start = 0; start < texts.size(); start += BATCH) {
            List<Tokens> batch = tokenizer.tokenize(textsOf(start, Math.min(start + BATCH, texts.size())));
            served.run(batch, delta);
            List<Integer> lengths = batch.stream().map(Tokens::length).toList();
            int batchTokens = lengths.stream().mapToInt(Integer::intValue).sum();
            executed += EncoderFlops.packed(architecture, batchTokens, batch.size(),
                    lengths.stream().mapToInt(Integer::intValue).max().orElse(0));
            real += EncoderFlops.real(architecture, lengths);
            tokens += batchTokens;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        result.put("infer_per_s_b32", texts.size() / seconds)
                .put("tokens_per_s", tokens / seconds)
                .put("padding_share", (executed - real) / executed)
                .put("gflops_achieved", executed / seconds / 1e9)
                .put("real_gflops_b32", real / seconds / 1e9);
    }

    /**
     * Training examples per second of each kind at batch 32 over the texts (their length
     * distribution), and the GFLOP/s training achieves on real tokens. A LoRA or adapter step runs
     * the backward pass through the whole encoder (about the forward's cost again); a head step does not.
     */
    private void measureTraining(PretrainedEncoder encoder, BenchResult result) {
        EncoderArchitecture architecture = encoder.architecture();
        EncoderRuntime runtime = EncoderRuntime.of(encoder);
        List<String> labels = texts.stream().map(LabeledText::label).distinct().toList();
        Map<String, Double> perSecond = new LinkedHashMap<>();
        Map<String, Double> gflops = new LinkedHashMap<>();
        try (TextTokenizer tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH)) {
            for (DeltaConfig config : List.of(new HeadConfig(), AdapterConfig.defaults(), LoraConfig.defaults())) {
                progress.printf("model: training %s for %d steps ...%n", config.kind().key(), TRAINING_STEPS);
                DeltaTrainer trainer = DeltaTrainer.start(TrainingGraph.forDelta(runtime, config), tokenizer,
                        Delta.initialize(config, architecture, labels, 1), TrainingConfig.defaults());
                trainer.step(texts.subList(0, BATCH));
                List<List<LabeledText>> batches = new ArrayList<>();
                double flops = 0;
                for (int step = 1; step <= TRAINING_STEPS; step++) {
                    int start = (step * BATCH) % (texts.size() - BATCH);
                    batches.add(texts.subList(start, start + BATCH));
                    double forward = EncoderFlops.real(architecture, tokenizer.tokenize(textsOf(start, start + BATCH))
                            .stream().map(Tokens::length).toList());
                    flops += config.kind() == DeltaKind.HEAD ? forward : 2 * forward;
                }
                long started = System.nanoTime();
                batches.forEach(trainer::step);
                double seconds = (System.nanoTime() - started) / 1e9;
                perSecond.put(config.kind().key(), TRAINING_STEPS * BATCH / seconds);
                gflops.put(config.kind().key(), flops / seconds / 1e9);
            }
        }
        result.put("train_per_s", perSecond);
        result.put("train_gflops_achieved", gflops);
    }

    private List<String> textsOf(int from, int until) {
        return texts.subList(from, until).stream().map(LabeledText::text).toList();
    }
}

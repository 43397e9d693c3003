package io.continua.peft.serving;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaTensors;
import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.runtime.TensorFlowRuntime;
import io.continua.peft.tokenizer.TokenBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving path: the exported encoder loaded once through DJL's TensorFlow engine (Criteria,
 * Predictor, Translator). Each call feeds a token batch and a {@link ServingDelta}; changing the
 * delta never reloads the base. Thread-safe: every call gets its own predictor.
 */
public final class DjlEncoder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DjlEncoder.class);

    private final ZooModel<EncoderTranslator.Input, EncoderOutputs> model;
    private final PretrainedEncoder encoder;

    private DjlEncoder(PretrainedEncoder encoder, ZooModel<EncoderTranslator.Input, EncoderOutputs> model) {
        this.encoder = encoder;
        this.model = model;
    }

    /** Exports the encoder under {@code exportRoot} if needed, then loads it. */
    public static DjlEncoder load(PretrainedEncoder encoder, Path exportRoot) {
        TensorFlowRuntime.ensureStarted();
        Path dir = ServingExport.ensureExported(encoder, exportRoot);
        long started = System.nanoTime();
        Criteria<EncoderTranslator.Input, EncoderOutputs> criteria = Criteria.builder()
                .setTypes(EncoderTranslator.Input.class, EncoderOutputs.class)
                .optEngine("TensorFlow")
                .optModelPath(dir)
                .optTranslator(new EncoderTranslator())
                .build();
        try {
            ZooModel<EncoderTranslator.Input, EncoderOutputs> model = criteria.loadModel();
            log.info("Loaded serving model {} through DJL in {} ms", dir, (System.nanoTime() - started) / 1_000_000);
            return new DjlEncoder(encoder, model);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the serving model from " + dir, e);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("Cannot load the serving model from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Builds a delta's arrays once; feed the result to {@link #run} until the delta is replaced. */
    public ServingDelta prepare(DeltaTensors delta) {
        return new ServingDelta(model.getNDManager(), delta);
    }

    public EncoderOutputs run(TokenBatch tokens, ServingDelta delta) {
        try (Predictor<EncoderTranslator.Input, EncoderOutputs> predictor = model.newPredictor()) {
            return predictor.predict(new EncoderTranslator.Input(tokens, delta));
        } catch (TranslateException e) {
            throw new IllegalStateException("Inference failed: " + e.getMessage(), e);
        }
    }

    public PretrainedEncoder encoder() {
        return encoder;
    }

    @Override
    public void close() {
        model.close();
    }
}

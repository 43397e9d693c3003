package io.continua.peft.serving;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.continua.peft.delta.Delta;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.graph.DeltaLayout;
import io.continua.peft.graph.EncoderOutputs;
import io.continua.peft.graph.PackedBatch;
import io.continua.peft.runtime.DevicePlacement;
import io.continua.peft.runtime.Precision;
import io.continua.peft.runtime.TensorFlowRuntime;
import io.continua.peft.tokenizer.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving path: each {@link DeltaLayout} in service has its exported encoder loaded once
 * through DJL's TensorFlow engine (Criteria, Predictor, Translator), with the base resident in it;
 * the first delta of a new layout exports and loads it ({@link #prepare}, off the inference path).
 * A batch holds texts of any deltas of one layout: each text is answered with its own delta.
 * Changing deltas never reloads a base. Thread-safe; each layout's model keeps one predictor, used
 * by one batch at a time.
 */
public final class DjlEncoder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DjlEncoder.class);

    private final PretrainedEncoder encoder;
    private final Path exportRoot;
    private final DevicePlacement device;
    private final Precision precision;
    private final Map<String, LayoutModel> models = new ConcurrentHashMap<>();

    private DjlEncoder(PretrainedEncoder encoder, Path exportRoot, DevicePlacement device, Precision precision) {
        this.encoder = encoder;
        this.exportRoot = exportRoot;
        this.device = device;
        this.precision = precision;
    }

    /**
     * Serving for {@code encoder} on the configured device, its products in {@code precision}, its
     * layouts exported under {@code exportRoot} as deltas need them.
     */
    public static DjlEncoder open(PretrainedEncoder encoder, Path exportRoot, Precision precision) {
        TensorFlowRuntime.ensureStarted();
        return new DjlEncoder(encoder, exportRoot, DevicePlacement.configured(), precision);
    }

    /** As {@link #open(PretrainedEncoder, Path, Precision)} in the configured precision. */
    public static DjlEncoder open(PretrainedEncoder encoder, Path exportRoot) {
        return open(encoder, exportRoot, Precision.configured());
    }

    /**
     * Builds a delta's arrays once (feed the result to {@link #run} until the delta is replaced),
     * exporting and loading its layout's model first if no delta of that layout came before.
     */
    public ServingDelta prepare(Delta delta) {
        LayoutModel model = model(delta.config().layout());
        return new ServingDelta(model.zoo.getNDManager(), delta, encoder.architecture());
    }

    /** Every text on one delta. */
    public EncoderOutputs run(List<Tokens> texts, ServingDelta delta) {
        return run(texts, Collections.nCopies(texts.size(), delta));
    }

    /**
     * Each text on its own delta ({@code deltas.get(i)} for text {@code i}); the deltas must share
     * one layout. Rows of logits and probabilities are as wide as the largest label list among them.
     */
    public EncoderOutputs run(List<Tokens> texts, List<ServingDelta> deltas) {
        if (texts.size() != deltas.size() || texts.isEmpty()) {
            throw new IllegalArgumentException(texts.size() + " texts for " + deltas.size() + " deltas");
        }
        List<ServingDelta> distinct = new ArrayList<>();
        Map<ServingDelta, Integer> index = new IdentityHashMap<>();
        int[] groupOfText = new int[texts.size()];
        for (int text = 0; text < texts.size(); text++) {
            ServingDelta delta = deltas.get(text);
            groupOfText[text] = index.computeIfAbsent(delta, d -> {
                distinct.add(d);
                return distinct.size() - 1;
            });
        }
        DeltaLayout layout = distinct.get(0).layout();
        for (ServingDelta delta : distinct) {
            if (!delta.layout().key().equals(layout.key())) {
                throw new IllegalArgumentException("One batch cannot mix layouts " + layout.key() + " and "
                        + delta.layout().key());
            }
        }
        // Virtual tokens take positions: a text the tokenizer let through may have to be cut further to fit
        // (only then: without them every text fits, and the hot path copies nothing).
        int room = encoder.architecture().maxPositions() - layout.virtualTokens();
        List<Tokens> fitted = layout.virtualTokens() == 0 ? texts
                : texts.stream().map(text -> text.limit(room)).toList();
        PackedBatch batch = PackedBatch.of(fitted, groupOfText, distinct.size(), layout.virtualTokens())
                .requireFor(layout, encoder.architecture().maxPositions());
        EncoderTranslator.Input input = distinct.size() == 1
                ? new EncoderTranslator.Input(batch, distinct.get(0).arrays(), null)
                : new EncoderTranslator.Input(batch, null, ServingDelta.stack(distinct, encoder.architecture()));
        return model(layout).predict(input);
    }

    public PretrainedEncoder encoder() {
        return encoder;
    }

    /** The layouts whose models are loaded. */
    public List<String> loadedLayouts() {
        return List.copyOf(models.keySet());
    }

    private LayoutModel model(DeltaLayout layout) {
        LayoutModel model = models.get(layout.key());
        if (model != null) {
            return model;
        }
        synchronized (models) {
            return models.computeIfAbsent(layout.key(), key -> load(layout));
        }
    }

    private LayoutModel load(DeltaLayout layout) {
        Path dir = ServingExport.ensureExported(encoder, layout, device, precision, exportRoot);
        long started = System.nanoTime();
        Criteria<EncoderTranslator.Input, EncoderOutputs> criteria = Criteria.builder()
                .setTypes(EncoderTranslator.Input.class, EncoderOutputs.class)
                .optEngine("TensorFlow")
                .optModelPath(dir)
                .optOption("ConfigProto", Base64.getEncoder().encodeToString(device.sessionConfig().toByteArray()))
                .optTranslator(new EncoderTranslator())
                .build();
        try {
            ZooModel<EncoderTranslator.Input, EncoderOutputs> zoo = criteria.loadModel();
            log.info("Loaded serving model for layout {} ({}) through DJL in {} ms", layout.key(), precision.key(),
                    (System.nanoTime() - started) / 1_000_000);
            return new LayoutModel(zoo);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the serving model from " + dir, e);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalStateException("Cannot load the serving model from " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        models.values().forEach(LayoutModel::close);
        models.clear();
    }

    /** A layout's loaded model and its one reused predictor. */
    private static final class LayoutModel implements AutoCloseable {
        private final ZooModel<EncoderTranslator.Input, EncoderOutputs> zoo;
        private final Predictor<EncoderTranslator.Input, EncoderOutputs> predictor;

        LayoutModel(ZooModel<EncoderTranslator.Input, EncoderOutputs> zoo) {
            this.zoo = zoo;
            this.predictor = zoo.newPredictor();
        }

        synchronized EncoderOutputs predict(EncoderTranslator.Input input) {
            try {
                return predictor.predict(input);
            } catch (TranslateException e) {
                throw new IllegalStateException("Inference failed: " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void close() {
            predictor.close();
            zoo.close();
        }
    }
}

package io.continua.peft.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.continua.peft.TestDeltas;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.delta.Ia3Config;
import io.continua.peft.delta.LlamaAdapterConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.delta.LoreftConfig;
import io.continua.peft.delta.PrefixTuningConfig;
import io.continua.peft.delta.PromptTuningConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.Projection;
import io.continua.peft.encoder.TinyBertOnnxWriter;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.graph.EncoderRuntime;
import io.continua.peft.graph.ForwardGraph;
import io.continua.peft.tokenizer.Tokens;
import io.continua.peft.training.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class DeltaArtifactIT {
    /** The real encoder's shape: artifacts are checked against it without running TensorFlow. */
    private static final EncoderArchitecture MINILM =
            new EncoderArchitecture(6, 384, 12, 1536, 30522, 512, 2, 1e-12f);
    private static final String BASE = "all-minilm-l6-v2@sha256:test";
    private static final List<String> LABELS = List.of("card_arrival", "top_up", "refund");

    @Test
    void savedAndLoadedDeltasGiveIdenticalLogits() {
        PretrainedEncoder tiny = TinyBertOnnxWriter.tinyEncoder(2, 16, 4, 24, 40, 9);
        EncoderArchitecture architecture = tiny.architecture();
        List<Tokens> batch = List.of(new Tokens(new int[] {1, 5, 6, 2}, false), new Tokens(new int[] {1, 9, 2}, false));
        DeltaArtifactReader reader = new DeltaArtifactReader(tiny.fingerprint(), architecture,
                DeltaArtifactReader.DEFAULT_MAX_BYTES);
        EncoderRuntime runtime = EncoderRuntime.of(tiny);
        for (DeltaConfig config : configs()) {
            ForwardGraph graph = runtime.forward(config.layout());
            Delta delta = randomized(TestDeltas.initialize(config, architecture, LABELS, 3));
            DeltaArtifact.Packed packed = DeltaArtifact.pack(delta, tiny.fingerprint(), Optional.empty());
            LoadedArtifact loaded = reader.read(packed.bytes());

            assertThat(loaded.delta().labels()).isEqualTo(LABELS);
            assertThat(loaded.delta().config()).isEqualTo(delta.config());
            assertThat(loaded.delta().inputs().keySet()).isEqualTo(delta.inputs().keySet());
            assertThat(loaded.sha256()).isEqualTo(packed.sha256());
            assertThat(graph.run(batch, loaded.delta().inputs()).logits())
                    .isDeepEqualTo(graph.run(batch, delta.inputs()).logits());
            assertThat(DeltaArtifact.pack(loaded.delta(), tiny.fingerprint(), Optional.empty()).sha256())
                    .as("packing is deterministic").isEqualTo(packed.sha256());
        }
    }

    @Test
    void loraUsesPeftNamesLayoutAndConfigFields() {
        Delta delta = randomized(Delta.initialize(LoraConfig.defaults(), MINILM, LABELS, 1));
        Map<String, byte[]> entries = unzip(DeltaArtifact.pack(delta, BASE, Optional.empty()).bytes());

        Map<String, WeightTensor> tensors = SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors();
        WeightTensor loraA = tensors.get("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight");
        WeightTensor loraB = tensors.get("base_model.model.encoder.layer.5.attention.self.value.lora_B.weight");
        assertThat(loraA.shape()).containsExactly(8, 384);
        assertThat(loraB.shape()).containsExactly(384, 8);
        assertThat(tensors.get("base_model.model.classifier.weight").shape()).containsExactly(3, 384);
        float[] ours = delta.parameter("lora.0.query.A").values();
        assertThat(loraA.values()[1]).as("[out, in] is the transpose of our [in, out]").isEqualTo(ours[8]);
        assertThat(tensors).hasSize(6 * 2 * 2 + 2);

        JsonObject config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("LORA");
        assertThat(config.get("r").getAsInt()).isEqualTo(8);
        assertThat(config.get("lora_alpha").getAsDouble()).isEqualTo(16.0);
        assertThat(config.getAsJsonArray("target_modules").toString()).isEqualTo("[\"query\",\"value\"]");
        assertThat(new String(entries.get(DeltaArtifact.LABELS), StandardCharsets.UTF_8)).contains("top_up");
    }

    /** IA³ vectors under PEFT's names and shapes: {@code [out, 1]}, or {@code [1, in]} for the feed-forward module. */
    @Test
    void ia3UsesPeftNamesShapesAndConfigFields() {
        Delta delta = randomized(Delta.initialize(Ia3Config.defaults(), MINILM, LABELS, 1));
        Map<String, byte[]> entries = unzip(DeltaArtifact.pack(delta, BASE, Optional.empty()).bytes());

        Map<String, WeightTensor> tensors = SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors();
        assertThat(tensors.get("base_model.model.encoder.layer.0.attention.self.key.ia3_l").shape())
                .containsExactly(384, 1);
        assertThat(tensors.get("base_model.model.encoder.layer.5.attention.self.value.ia3_l").shape())
                .containsExactly(384, 1);
        WeightTensor feedForward = tensors.get("base_model.model.encoder.layer.3.output.dense.ia3_l");
        assertThat(feedForward.shape()).containsExactly(1, 1536);
        assertThat(feedForward.values()).containsExactly(delta.parameter("ia3.3.output").values());
        assertThat(tensors).hasSize(6 * 3 + 2);

        JsonObject config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("IA3");
        assertThat(config.get("target_modules").getAsString())
                .isEqualTo(".*encoder\\.layer\\.\\d+\\.(attention\\.self\\.key|attention\\.self\\.value|output\\.dense)");
        assertThat(config.get("feedforward_modules").getAsString()).isEqualTo(".*encoder\\.layer\\.\\d+\\.(output\\.dense)");
    }

    /** LoReFT, which PEFT lacks, under PEFT-style names of pyreft's parts, in PyTorch's layout. */
    @Test
    void loreftUsesPeftStyleNamesAndItsConfigFields() {
        Delta delta = randomized(Delta.initialize(LoreftConfig.defaults(), MINILM, LABELS, 1));
        Map<String, byte[]> entries = unzip(DeltaArtifact.pack(delta, BASE, Optional.empty()).bytes());

        Map<String, WeightTensor> tensors = SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors();
        assertThat(tensors.get("base_model.model.encoder.layer.0.output.loreft.rotate_layer.weight").shape())
                .containsExactly(4, 384);
        assertThat(tensors.get("base_model.model.encoder.layer.5.output.loreft.learned_source.weight").shape())
                .containsExactly(4, 384);
        assertThat(tensors.get("base_model.model.encoder.layer.5.output.loreft.learned_source.bias").shape())
                .containsExactly(4);
        assertThat(tensors).hasSize(6 * 3 + 2);
        JsonObject config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("LOREFT");
        assertThat(config.get("positions").getAsString()).isEqualTo("all");
    }

    /** PEFT's one {@code prompt_embeddings} tensor, rows of embeddings as PEFT keeps them, and its config fields. */
    @Test
    void promptAndPrefixTuningUsePeftNamesLayoutAndConfigFields() {
        Delta prompt = randomized(Delta.initialize(new PromptTuningConfig(7), MINILM, LABELS, 1));
        Map<String, byte[]> entries = unzip(DeltaArtifact.pack(prompt, BASE, Optional.empty()).bytes());
        WeightTensor embeddings = SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors()
                .get("prompt_embeddings");
        assertThat(embeddings.shape()).containsExactly(7, 384);
        assertThat(embeddings.values()).containsExactly(prompt.parameter("prompt_embeddings").values());
        JsonObject config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("PROMPT_TUNING");
        assertThat(config.get("num_virtual_tokens").getAsInt()).isEqualTo(7);
        assertThat(config.get("token_dim").getAsInt()).isEqualTo(384);
        assertThat(config.get("prompt_tuning_init").getAsString()).isEqualTo("RANDOM");

        Delta prefix = randomized(Delta.initialize(new PrefixTuningConfig(5), MINILM, LABELS, 1));
        entries = unzip(DeltaArtifact.pack(prefix, BASE, Optional.empty()).bytes());
        assertThat(SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors().get("prompt_embeddings")
                .shape()).as("key and value of 6 layers per virtual token").containsExactly(5, 6 * 2 * 384);
        config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("PREFIX_TUNING");
        assertThat(config.get("num_layers").getAsInt()).isEqualTo(6);
        assertThat(config.get("prefix_projection").getAsBoolean()).isFalse();
    }

    /** PEFT's adaption prompt names and shapes, under each adapted layer's self-attention. */
    @Test
    void llamaAdapterUsesPeftAdaptionPromptNames() {
        Delta delta = randomized(Delta.initialize(new LlamaAdapterConfig(10, 2), MINILM, LABELS, 1));
        Map<String, byte[]> entries = unzip(DeltaArtifact.pack(delta, BASE, Optional.empty()).bytes());
        Map<String, WeightTensor> tensors = SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors();
        assertThat(tensors.get("base_model.model.encoder.layer.4.attention.self.adaption_prompt").shape())
                .containsExactly(1, 10, 384);
        assertThat(tensors.get("base_model.model.encoder.layer.5.attention.self.adaption_gate").shape())
                .containsExactly(1);
        assertThat(tensors).as("the top two layers' prompts and gates, and the head").hasSize(2 * 2 + 2);
        JsonObject config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("ADAPTION_PROMPT");
        assertThat(config.get("adapter_len").getAsInt()).isEqualTo(10);
        assertThat(config.get("adapter_layers").getAsInt()).isEqualTo(2);
    }

    /**
     * The sources' adapters travel frozen with the fusion delta, under their own names per source;
     * the queries and keys are the delta's parameters; the pinned versions are in its config.
     */
    @Test
    void adapterFusionCarriesItsFrozenSourcesAndPinsTheirVersions() {
        Delta fusion = randomized(TestDeltas.initialize(TestDeltas.fusion(2, AdapterConfig.Placement.PFEIFFER, 16, 8),
                MINILM, LABELS, 1));
        byte[] archive = DeltaArtifact.pack(fusion, BASE, Optional.empty()).bytes();
        Map<String, byte[]> entries = unzip(archive);
        Map<String, WeightTensor> tensors = SafeTensors.read(entries.get(DeltaArtifact.MODEL), "model").tensors();
        assertThat(tensors.get("base_model.model.fusion_sources.1.encoder.layer.5.output.adapter.down.weight").shape())
                .containsExactly(24, 384);
        assertThat(tensors.get("base_model.model.encoder.layer.2.output.adapter_fusion.query.weight").shape())
                .containsExactly(8, 384);
        assertThat(tensors).as("2 sources x 6 layers x 4 adapter tensors, 6 x (query, key), the head")
                .hasSize(2 * 6 * 4 + 6 * 2 + 2);
        JsonObject config = json(entries.get(DeltaArtifact.CONFIG));
        assertThat(config.get("peft_type").getAsString()).isEqualTo("ADAPTER_FUSION");
        assertThat(config.get("sources").getAsString()).isEqualTo("source0@1,source1@2");
        assertThat(fusion.ownParameters()).as("queries and keys only").isEqualTo(6 * 2 * 384 * 8);

        LoadedArtifact loaded = reader().read(archive);
        assertThat(loaded.delta().trainableParameters()).isEqualTo(fusion.trainableParameters());
        assertThat(loaded.delta().frozen()).hasSize(2 * 6 * 4);

        String dropped = "base_model.model.fusion_sources.0.encoder.layer.0.output.adapter.up.bias";
        assertRefused(edit(archive, contents -> {
            Map<String, WeightTensor> lacking = new LinkedHashMap<>(tensors);
            lacking.remove(dropped);
            contents.put(DeltaArtifact.MODEL, SafeTensors.write(List.copyOf(lacking.values()), Map.of()));
            return contents;
        }), dropped);
    }

    @Test
    void reportsTrainableParametersPerKind() {
        long base = 22_565_376;
        Delta lora = Delta.initialize(LoraConfig.defaults(), MINILM, LABELS, 1);
        Delta adapter = Delta.initialize(AdapterConfig.defaults(), MINILM, LABELS, 1);
        Delta head = Delta.initialize(new HeadConfig(), MINILM, LABELS, 1);
        assertThat(lora.ownParameters()).isEqualTo(73_728);
        assertThat((double) lora.ownParameters() / base).isBetween(0.003, 0.0035);
        assertThat(adapter.ownParameters()).isEqualTo(6 * (384 * 24 + 24 + 24 * 384 + 384));
        assertThat(Delta.initialize(Ia3Config.defaults(), MINILM, LABELS, 1).ownParameters())
                .isEqualTo(6 * (384 + 384 + 1536));
        assertThat(Delta.initialize(PromptTuningConfig.defaults(), MINILM, LABELS, 1).ownParameters())
                .isEqualTo(20 * 384);
        assertThat(Delta.initialize(PrefixTuningConfig.defaults(), MINILM, LABELS, 1).ownParameters())
                .isEqualTo(20 * 6 * 2 * 384);
        assertThat(Delta.initialize(LlamaAdapterConfig.defaults(), MINILM, LABELS, 1).ownParameters())
                .isEqualTo(6 * (10 * 384 + 1));
        assertThat(head.ownParameters()).isZero();
        assertThat(head.trainableParameters()).isEqualTo(384 * 3 + 3);
    }

    @Test
    void optimizerStateTravelsWithTheDelta() {
        Delta delta = Delta.initialize(LoraConfig.defaults(), MINILM, LABELS, 1);
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        delta.parameters().forEach(tensor -> {
            first.put(tensor.name(), filled(tensor.values().length, 0.5f));
            second.put(tensor.name(), filled(tensor.values().length, 0.25f));
        });
        byte[] bytes = DeltaArtifact.pack(delta, BASE, Optional.of(new OptimizerState(42, first, second))).bytes();

        OptimizerState state = reader().read(bytes).optimizer().orElseThrow();
        assertThat(state.step()).isEqualTo(42);
        assertThat(state.firstMoments().get("lora.3.value.B")).containsOnly(0.5f);
        assertThat(state.secondMoments().keySet()).isEqualTo(second.keySet());
    }

    @Test
    void refusesTruncatedArchivesAndTruncatedTensors() {
        byte[] good = pack();
        assertRefused(Arrays.copyOf(good, good.length - 30), "truncated");
        assertRefused(Arrays.copyOf(good, good.length / 2), "truncated");
        assertRefused(edit(good, entries -> {
            byte[] model = entries.get(DeltaArtifact.MODEL);
            entries.put(DeltaArtifact.MODEL, Arrays.copyOf(model, model.length - 100));
            return entries;
        }), "truncated");
        assertRefused("not a zip at all".getBytes(StandardCharsets.UTF_8), "truncated");
    }

    /**
     * Two archives end to end: Java's stream reader sees the first one's entries, Python's zipfile
     * (which follows the last central directory) reads the second one's labels and weights. Such an
     * archive, or one with any byte its directory does not account for, is refused.
     */
    @Test
    void refusesArchivesThatReadDifferentlyByTheirDirectory() throws Exception {
        byte[] honest = pack();
        byte[] pwned = edit(pack(), entries -> {
            entries.put(DeltaArtifact.LABELS, "[\"pwned\",\"b\",\"c\"]".getBytes(StandardCharsets.UTF_8));
            return entries;
        });
        byte[] both = concat(honest, pwned);
        Path python = Path.of("/usr/bin/python3");
        if (Files.isExecutable(python)) {
            Path file = Path.of(System.getProperty("continua.test.dir", "target/test-data"), "differential.zip");
            Files.createDirectories(file.getParent());
            Files.write(file, both);
            Process process = new ProcessBuilder(python.toString(), "-c",
                    "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('labels.json').decode())",
                    file.toString()).redirectErrorStream(true).start();
            String read = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).isZero();
            assertThat(read).as("what Python reads from the same bytes").contains("pwned");
        }
        assertRefused(both, "central directory");
        assertRefused(concat(honest, "trailing".getBytes(StandardCharsets.UTF_8)), "end record");
        byte[] commented = honest.clone();
        commented[commented.length - 2] = 5;
        assertRefused(concat(commented, "hello".getBytes(StandardCharsets.UTF_8)), "comment");
        assertThat(reader().read(honest).delta().labels()).isEqualTo(LABELS);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }

    @Test
    void refusesShapesThatDisagreeWithTheConfig() {
        assertRefused(edit(pack(), entries -> {
            entries.put(DeltaArtifact.LABELS, "[\"card_arrival\",\"top_up\",\"refund\",\"extra\"]"
                    .getBytes(StandardCharsets.UTF_8));
            return entries;
        }), "classifier.weight has shape [3, 384]");
        assertRefused(edit(pack(), entries -> {
            String manifest = new String(entries.get(DeltaArtifact.MANIFEST), StandardCharsets.UTF_8)
                    .replace("\"r\": \"8\"", "\"r\": \"4\"");
            entries.put(DeltaArtifact.MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
            return entries;
        }), "needs [4, 384]");
    }

    @Test
    void refusesNonFiniteValues() {
        Delta delta = Delta.initialize(LoraConfig.defaults(), MINILM, LABELS, 1);
        float[] poisoned = delta.parameter("lora.2.query.B").values().clone();
        poisoned[5] = Float.NaN;
        byte[] bytes = DeltaArtifact.pack(delta.withValues(Map.of("lora.2.query.B", poisoned)), BASE,
                Optional.empty()).bytes();
        assertRefused(bytes, "non-finite");
    }

    @Test
    void refusesAnotherBaseModelAndUnknownKinds() {
        assertThatThrownBy(() -> new DeltaArtifactReader("other-model@sha256:1", MINILM, 1 << 26).read(pack()))
                .isInstanceOf(InvalidArtifactException.class).hasMessageContaining("trained on base model " + BASE);
        assertRefused(edit(pack(), entries -> {
            String manifest = new String(entries.get(DeltaArtifact.MANIFEST), StandardCharsets.UTF_8)
                    .replace("\"kind\": \"lora\"", "\"kind\": \"prefix\"");
            entries.put(DeltaArtifact.MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
            return entries;
        }), "Unknown delta kind 'prefix'");
    }

    @Test
    void refusesEntriesThatEscapeTheArchiveOrDoNotBelong() {
        assertRefused(edit(pack(), entries -> {
            entries.put("../../etc/cron.d/evil", new byte[] {1});
            return entries;
        }), "escapes the archive");
        assertRefused(edit(pack(), entries -> {
            entries.put("notes.txt", new byte[] {1});
            return entries;
        }), "Unexpected entry 'notes.txt'");
    }

    @Test
    void refusesArchivesOverTheSizeLimit() {
        byte[] bytes = pack();
        assertThatThrownBy(() -> new DeltaArtifactReader(BASE, MINILM, bytes.length - 1).read(bytes))
                .isInstanceOf(InvalidArtifactException.class).hasMessageContaining("over the limit");
    }

    private static List<DeltaConfig> configs() {
        return List.of(LoraConfig.defaults(),
                new LoraConfig(2, 4, 0.1, EnumSet.of(Projection.ATTENTION_OUTPUT, Projection.OUTPUT), List.of(1)),
                new AdapterConfig(AdapterConfig.Placement.HOULSBY, 4), AdapterConfig.defaults(), Ia3Config.defaults(),
                new Ia3Config(EnumSet.of(Projection.QUERY, Projection.INTERMEDIATE)), LoreftConfig.defaults(),
                new LoreftConfig(2, List.of(1), 2, 1), new PromptTuningConfig(4), new PrefixTuningConfig(4),
                LlamaAdapterConfig.defaults(), new LlamaAdapterConfig(3, 2),
                TestDeltas.fusion(2, AdapterConfig.Placement.HOULSBY, 4, 2), new HeadConfig());
    }

    private static byte[] pack() {
        return DeltaArtifact.pack(Delta.initialize(LoraConfig.defaults(), MINILM, LABELS, 1), BASE, Optional.empty())
                .bytes();
    }

    private static DeltaArtifactReader reader() {
        return new DeltaArtifactReader(BASE, MINILM, DeltaArtifactReader.DEFAULT_MAX_BYTES);
    }

    private static void assertRefused(byte[] archive, String message) {
        assertThatThrownBy(() -> reader().read(archive)).isInstanceOf(InvalidArtifactException.class)
                .hasMessageContaining(message);
    }

    private static Delta randomized(Delta delta) {
        return delta.withRandomValues(4, 0.2);
    }

    private static float[] filled(int length, float value) {
        float[] values = new float[length];
        Arrays.fill(values, value);
        return values;
    }

    private static JsonObject json(byte[] bytes) {
        return JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static byte[] edit(byte[] archive, UnaryOperator<Map<String, byte[]>> change) {
        Map<String, byte[]> entries = change.apply(unzip(archive));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static Map<String, byte[]> unzip(byte[] archive) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return entries;
    }
}

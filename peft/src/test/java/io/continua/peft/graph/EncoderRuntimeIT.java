package io.continua.peft.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.peft.ParitySentences;
import io.continua.peft.TestDeltas;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.DeltaConfig;
import io.continua.peft.delta.HeadConfig;
import io.continua.peft.delta.LlamaAdapterConfig;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.delta.LoreftConfig;
import io.continua.peft.delta.PrefixTuningConfig;
import io.continua.peft.delta.PromptTuningConfig;
import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.peft.encoder.Projection;
import io.continua.peft.tokenizer.TextTokenizer;
import io.continua.peft.tokenizer.Tokens;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The process-wide runtime: a resident base, a graph per layout, mixed batches equal to single-delta runs. */
class EncoderRuntimeIT {
    private static PretrainedEncoder encoder;
    private static EncoderArchitecture architecture;
    private static EncoderRuntime runtime;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        encoder = PretrainedEncoder.allMiniLmL6V2();
        architecture = encoder.architecture();
        runtime = EncoderRuntime.of(encoder);
        tokenizer = new TextTokenizer(encoder.tokenizerJson(), TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void aCallFeedsTheBatchAndTheDeltaNeverTheBase() {
        DeltaLayout layout = LoraConfig.defaults().layout();
        Set<String> expected = layout.tensors(architecture).stream().map(TensorSpec::name)
                .collect(Collectors.toCollection(TreeSet::new));
        expected.addAll(List.of(EncoderGraph.TOKEN_IDS, EncoderGraph.POSITIONS, EncoderGraph.ATTENTION_GATHER,
                EncoderGraph.ATTENTION_SCATTER, EncoderGraph.ATTENTION_MASK));
        assertThat(runtime.forward(layout).graph().inputs().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(runtime.forward(layout)).as("built once, then cached").isSameAs(runtime.forward(layout));
        assertThat(expected).as("LoRA r=8 on query and value in 6 layers, its scaling, the head").hasSize(24 + 1 + 2 + 5);
    }

    @Test
    void mixedBatchesGiveEachTextWhatItsOwnDeltaGivesIt() {
        List<Tokens> tokens = tokenizer.tokenize(ParitySentences.all());
        for (DeltaConfig config : List.of(new LoraConfig(4, 8, 0, EnumSet.allOf(Projection.class), List.of()),
                new AdapterConfig(AdapterConfig.Placement.HOULSBY, 16), new PromptTuningConfig(5),
                new PrefixTuningConfig(5), new LlamaAdapterConfig(4, 3), new LoreftConfig(2, List.of(), 2, 1),
                TestDeltas.fusion(2, AdapterConfig.Placement.PFEIFFER, 16, 8))) {
            List<Delta> deltas = new ArrayList<>();
            for (int seed = 1; seed <= 3; seed++) {
                List<String> labels = List.of("a", "b", "c", "d", "e").subList(0, seed + 2);
                deltas.add(TestDeltas.initialize(config, architecture, labels, seed).withRandomValues(seed, 0.1));
            }
            int[] groupOfText = new int[tokens.size()];
            for (int i = 0; i < tokens.size(); i++) {
                groupOfText[i] = (i + i / 3) % 3;
            }
            EncoderOutputs mixed = runtime.mixed(config.layout()).run(PackedBatch.of(tokens, groupOfText, 3,
                            config.layout().virtualTokens()),
                    DeltaStack.of(config.layout(), architecture, deltas.stream().map(Delta::inputs).toList()));
            ForwardGraph single = runtime.forward(config.layout());
            for (int group = 0; group < 3; group++) {
                List<Integer> rows = new ArrayList<>();
                for (int i = 0; i < tokens.size(); i++) {
                    if (groupOfText[i] == group) {
                        rows.add(i);
                    }
                }
                EncoderOutputs alone = single.run(rows.stream().map(tokens::get).toList(), deltas.get(group).inputs());
                for (int r = 0; r < rows.size(); r++) {
                    float[] expected = alone.logits()[r];
                    for (int label = 0; label < expected.length; label++) {
                        assertThat(mixed.logits()[rows.get(r)][label]).as("%s text %d label %d", config.kind(),
                                rows.get(r), label).isCloseTo(expected[label], Offset.offset(1e-4f));
                    }
                }
            }
        }
    }

    /**
     * LLaMA-Adapter's zero-initialized gates: a new delta's encoder is the base model's, whatever its
     * prompts, so training starts from the base's behaviour.
     */
    @Test
    void aNewLlamaAdapterDeltaLeavesTheEncoderAsItIs() {
        List<Tokens> tokens = tokenizer.tokenize(ParitySentences.all());
        Delta adapter = Delta.initialize(LlamaAdapterConfig.defaults(), architecture, List.of("a", "b"), 3);
        Delta head = Delta.initialize(new HeadConfig(), architecture, List.of("a", "b"), 3);
        float[][] adapted = runtime.forward(adapter.config().layout()).run(tokens, adapter.inputs()).pooled();
        float[][] base = runtime.forward(head.config().layout()).run(tokens, head.inputs()).pooled();
        for (int text = 0; text < tokens.size(); text++) {
            assertThat(adapted[text]).as("text %d", text).containsExactly(base[text], Offset.offset(1e-5f));
        }
        Delta opened = adapter.withRandomValues(4, 0.1);
        assertThat(runtime.forward(adapter.config().layout()).run(tokens, opened.inputs()).pooled()[0][0])
                .as("with its gates open the prompts act").isNotCloseTo(base[0][0], Offset.offset(1e-4f));
    }
}

package io.continua.peft.graph;

import io.continua.peft.encoder.EncoderArchitecture;
import io.continua.peft.encoder.WeightTensor;
import io.continua.peft.tokenizer.Tokens;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** One layout's inference graph in the process session, run through TensorFlow Java directly. */
public final class ForwardGraph {
    private final Session session;
    private final EncoderGraph graph;
    private final DeltaLayout layout;
    private final EncoderArchitecture architecture;

    ForwardGraph(Session session, EncoderGraph graph, DeltaLayout layout, EncoderArchitecture architecture) {
        this.session = session;
        this.graph = graph;
        this.layout = layout;
        this.architecture = architecture;
    }

    /** Every text on one delta (its {@code Delta.inputs()}). */
    public EncoderOutputs run(List<Tokens> texts, Map<String, WeightTensor> delta) {
        return run(PackedBatch.of(texts, layout.virtualTokens()), DeltaStack.of(layout, architecture, delta));
    }

    /** A batch whose group indices refer to the deltas of {@code deltas}. */
    public EncoderOutputs run(PackedBatch batch, DeltaStack deltas) {
        if (batch.groups() != deltas.size()) {
            throw new IllegalArgumentException("The batch refers to " + batch.groups() + " deltas, the stack holds "
                    + deltas.size());
        }
        Session.Runner runner = session.runner();
        try (SessionFeed feed = new SessionFeed(runner, graph.inputs())) {
            EncoderGraph.describe(batch.requireFor(layout, architecture.maxPositions()), graph.mixed(), feed);
            deltas.describe(feed);
            try (Result result = runner.fetch(graph.pooled()).fetch(graph.logits()).fetch(graph.probabilities()).run()) {
                return new EncoderOutputs(TfTensors.rows((TFloat32) result.get(0)),
                        TfTensors.rows((TFloat32) result.get(1)), TfTensors.rows((TFloat32) result.get(2)));
            }
        }
    }

    public EncoderGraph graph() {
        return graph;
    }
}

package io.continua.peft.graph;

/** What one run of the encoder returns, one row per text. */
public record EncoderOutputs(float[][] pooled, float[][] logits, float[][] probabilities) {
}

package io.continua.peft.graph;

/**
 * What one run of the encoder returns, one row per text. In a mixed batch the logits and
 * probabilities rows are as wide as the stack's largest label list; a row's own labels come first.
 */
public record EncoderOutputs(float[][] pooled, float[][] logits, float[][] probabilities) {
}

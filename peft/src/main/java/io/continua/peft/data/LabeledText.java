package io.continua.peft.data;

/** One labeled text of a dataset. */
public record LabeledText(String text, String label) {
}

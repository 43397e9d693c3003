package io.continua.cli;

/** The demo's outcome, as printed and as {@code demo-summary.json}. */
record DemoSummary(String dataset, String kind, double finalAccuracy, double finalMacroF1, int finalTestTexts,
                   long examples, int versions, int swaps, long failedRequests, double wallSeconds) {
}

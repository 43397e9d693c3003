package io.continua.cli;

/**
 * The demo's outcome, as printed and as {@code demo-summary.json}.
 *
 * @param offline the same kind trained offline on the same data, with {@code --compare-offline}; else null
 */
record DemoSummary(String dataset, String kind, double finalAccuracy, double finalMacroF1, int finalTestTexts,
                   long examples, int versions, int swaps, long failedRequests, double wallSeconds, Offline offline) {

    /** The offline reference: accuracy and macro-F1 on the same test set, seconds of training, epochs. */
    record Offline(double accuracy, double macroF1, double trainSeconds, int epochs) {
    }

    DemoSummary withOffline(Offline reference) {
        return new DemoSummary(dataset, kind, finalAccuracy, finalMacroF1, finalTestTexts, examples, versions, swaps,
                failedRequests, wallSeconds, reference);
    }
}

package io.continua.trainer;

/** What a domain's trainer is doing, for the status endpoint and metrics. */
public record DomainStatus(String domain, Integer championVersion, int pending, int replay, int holdout,
                           long trainedExamples, double lastLoss, Double holdoutAccuracy, long steps) {
}

package io.continua.trainer;

/**
 * What a domain's trainer is doing, for the status endpoint and metrics.
 *
 * @param pending examples waiting for the next update (for a parked domain: records skipped so far)
 * @param parked  why the domain is not being trained now, or null while it is
 */
public record DomainStatus(String domain, Integer championVersion, int pending, int replay, int holdout,
                           long trainedExamples, double lastLoss, Double holdoutAccuracy, long steps, String parked) {
}

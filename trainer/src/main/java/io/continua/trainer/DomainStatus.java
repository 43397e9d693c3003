package io.continua.trainer;

/**
 * What a domain's trainer is doing, for the status endpoint and metrics.
 *
 * @param pending             examples waiting for the next update, the domain's backlog (for a parked domain:
 *                            records skipped so far)
 * @param parked              why the domain is not being trained now, or null while it is
 * @param examplesPerSecond   new examples per second of wall time in the last update (training, gate, registry)
 * @param servedNewestEventMs event time of the newest example the version this trainer had promoted covers, or
 *                            null before one was
 */
public record DomainStatus(String domain, Integer championVersion, int pending, int replay, int holdout,
                           long trainedExamples, double lastLoss, Double holdoutAccuracy, long steps, String parked,
                           double examplesPerSecond, Long servedNewestEventMs) {
    /** How old the newest example in service is, in seconds at {@code nowMs}; NaN before anything was served. */
    public double freshnessSeconds(long nowMs) {
        return servedNewestEventMs == null ? Double.NaN : (nowMs - servedNewestEventMs) / 1000.0;
    }
}

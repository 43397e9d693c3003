package io.continua.trainer;

/**
 * What a domain's trainer is doing, for the status endpoint and metrics.
 *
 * @param pending             examples waiting for the next update, the domain's backlog (for a parked domain:
 *                            records skipped so far)
 * @param parked              why the domain is not being trained now (it could not be taken over), or null
 * @param waiting             why a taken-over domain cannot make its new delta yet (AdapterFusion sources not
 *                            readable, a kind search without enough holdout), its examples kept; or null
 * @param examplesPerSecond   new examples per second of wall time in the last update (training, gate, registry)
 * @param servedNewestEventMs event time of the newest example the version this trainer had promoted covers, or
 *                            null before one was
 * @param owedPasses          training the domain still owes the examples it keeps to reach their target passes,
 *                            in example passes (0: nothing left to consolidate)
 * @param lineage             the last restart or move of the domain's lineage and why (a configuration change, a
 *                            held production version), or null
 */
public record DomainStatus(String domain, Integer championVersion, int pending, int replay, int holdout,
                           long trainedExamples, double lastLoss, Double holdoutAccuracy, long steps, String parked, String waiting,
                           double examplesPerSecond, Long servedNewestEventMs, long owedPasses,
                           String lineage) {
    /** How old the newest example in service is, in seconds at {@code nowMs}; NaN before anything was served. */
    public double freshnessSeconds(long nowMs) {
        return servedNewestEventMs == null ? Double.NaN : (nowMs - servedNewestEventMs) / 1000.0;
    }
}

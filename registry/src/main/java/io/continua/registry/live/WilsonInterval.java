package io.continua.registry.live;

/**
 * The Wilson score interval of a proportion: unlike the normal approximation it stays inside [0, 1]
 * and is honest for small samples and for accuracies near 0 or 1, which is where live accuracy sits
 * right after a version starts serving.
 */
public record WilsonInterval(double low, double high) {

    /** The interval of {@code successes} out of {@code trials} at two-sided {@code confidence}. */
    public static WilsonInterval of(long successes, long trials, double confidence) {
        if (trials <= 0) {
            return new WilsonInterval(0, 1);
        }
        double z = NormalQuantile.twoSided(confidence);
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return new WilsonInterval(Math.max(0, centre - half), Math.min(1, centre + half));
    }
}

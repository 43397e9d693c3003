package io.continua.registry.live;

import io.continua.registry.live.LiveAccuracy.Score;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.registry.RolloutMode;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * What a domain's automatic rollout policy does with its live labels, one move at a time: roll
 * production back to the version before it when it does worse than that version did; promote the
 * candidate when it does better than production over the same time; retire the candidate (point it
 * back at production) when it does worse. "Better" means by more than the margin, on at least the
 * minimum of labels each side, by a one-sided two-proportion z-test at the configured confidence.
 * Nothing moves a held production, and a rollback is never itself rolled back.
 */
public final class RolloutDecisions {
    public static final String PRODUCTION = "production";
    public static final String PROMOTE = "rollout:promote";
    public static final String RETIRE = "rollout:retire";
    public static final String ROLLBACK = "rollout:rollback";

    /** An alias move with the reason recorded in its history, and the actor that makes it. */
    public record Move(String alias, int version, String reason, String actor) {
    }

    private RolloutDecisions() {
    }

    /**
     * @param usable whether a version may be served (registered, not deleted)
     */
    public static Optional<Move> decide(DomainConfig config, AliasPointer production, Optional<AliasPointer> candidate,
                                        IntPredicate usable, LiveAccuracy live) {
        if (!config.getRolloutPolicy().equals("auto") || production.getVersion() == null || production.getHeld()) {
            return Optional.empty();
        }
        String domain = config.getDomain();
        int serving = production.getVersion();
        Test test = new Test(config);
        Integer previous = production.getPreviousVersion();
        if (previous != null && previous != serving && usable.test(previous)
                && !production.getActor().equals(ROLLBACK)) {
            Optional<Score> now = live.score(domain, serving, production.getMovedAt(), Instant.MAX);
            Optional<Score> before = live.score(domain, previous, Instant.MIN, production.getMovedAt());
            if (test.enough(now, before) && test.better(before.get(), now.get())) {
                return Optional.of(new Move(PRODUCTION, previous, String.format(Locale.ROOT, "rollout: production "
                        + "v%d live %s since it moved fell below v%d's %s before %s; rolled back", serving,
                        figures(now.get()), previous, figures(before.get()), test), ROLLBACK));
            }
        }
        Integer tried = candidate.map(AliasPointer::getVersion).orElse(null);
        if (tried == null || tried == serving || !usable.test(tried)) {
            return Optional.empty();
        }
        Instant since = later(candidate.get().getMovedAt(), production.getMovedAt());
        Optional<Score> challenger = live.score(domain, tried, since, Instant.MAX);
        Optional<Score> champion = live.score(domain, serving, since, Instant.MAX);
        if (!test.enough(challenger, champion)) {
            return Optional.empty();
        }
        String figures = String.format(Locale.ROOT, "candidate v%d live %s against production v%d's %s over the "
                + "same time (%s)", tried, figures(challenger.get()), serving, figures(champion.get()),
                RolloutMode.of(config.getRolloutMode()).key());
        if (test.better(challenger.get(), champion.get())) {
            return Optional.of(new Move(PRODUCTION, tried, "rollout: " + figures + ", better " + test + "; promoted",
                    PROMOTE));
        }
        if (test.better(champion.get(), challenger.get())) {
            return Optional.of(new Move(RolloutMode.CANDIDATE, serving, "rollout: " + figures + ", worse " + test
                    + "; retired", RETIRE));
        }
        return Optional.empty();
    }

    private static Instant later(Instant first, Instant second) {
        return first.isAfter(second) ? first : second;
    }

    private static String figures(Score score) {
        return String.format(Locale.ROOT, "%.3f (%d labels)", score.accuracy(), score.count());
    }

    /** The policy's test: enough labels each side, and a difference beyond the margin at the confidence level. */
    private record Test(double margin, double confidence, long minLabels) {
        Test(DomainConfig config) {
            this(config.getRolloutMargin(), config.getRolloutConfidence(), config.getRolloutMinLabels());
        }

        boolean enough(Optional<Score> first, Optional<Score> second) {
            return first.isPresent() && second.isPresent() && first.get().count() >= minLabels
                    && second.get().count() >= minLabels;
        }

        /** Whether {@code a}'s accuracy exceeds {@code b}'s by more than the margin (one-sided z-test). */
        boolean better(Score a, Score b) {
            double difference = a.accuracy() - b.accuracy() - margin;
            double error = Math.sqrt(a.accuracy() * (1 - a.accuracy()) / a.count()
                    + b.accuracy() * (1 - b.accuracy()) / b.count());
            return error == 0 ? difference > 0 : difference / error > NormalQuantile.inverse(confidence);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "by more than %.3f at %.0f %% confidence", margin, confidence * 100);
        }
    }
}

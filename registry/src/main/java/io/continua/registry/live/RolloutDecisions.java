package io.continua.registry.live;

import io.continua.registry.Promotion;
import io.continua.registry.live.LiveAccuracy.Score;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.registry.RolloutMode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * What a domain's automatic rollout policy does with its live labels, one move at a time: roll
 * production back to the version before it when it does worse than that version did just before the
 * move; promote the candidate when it does better than production over the same time; retire the
 * candidate (point it back at production) when it does worse. "Better" means by more than the margin,
 * by a one-sided two-proportion z-test.
 *
 * <p>The policy looks again and again as labels come, and each look could err: so it decides only at
 * checkpoints, when each side has {@code minLabels}, then twice, four times as many labels, once each
 * (see {@link Looks}), on the labels up to the window that reached it; the k-th checkpoint (from 0)
 * tests at a share {@code 2^-(k+1)} of the error the confidence level allows, so that all looks together
 * stay within it. Only comparisons whose windows live accuracy still keeps apart are decided (a move
 * more than {@code live.detail} ago is left as it is). Nothing moves a held production or candidate, a
 * rollback is never itself rolled back, and a version production was rolled back from is never served
 * again by the policy.
 */
public final class RolloutDecisions {
    public static final String PROMOTE = "rollout:promote";
    public static final String RETIRE = "rollout:retire";
    public static final String ROLLBACK = "rollout:rollback";
    /** Checkpoints beyond this many doublings are not looked at: the error budget left is negligible. */
    private static final int LAST_CHECKPOINT = 20;

    /** An alias move with the reason recorded in its history, and the actor that makes it. */
    public record Move(String alias, int version, String reason, String actor) {
    }

    private RolloutDecisions() {
    }

    /**
     * @param usable     whether a version may be served (registered, not deleted)
     * @param rolledBack the versions production was rolled back from
     * @param looks      the checkpoints already looked at, updated with those this call looks at without moving
     */
    public static Optional<Move> decide(DomainConfig config, AliasPointer production, Optional<AliasPointer> candidate,
                                        IntPredicate usable, Set<Integer> rolledBack, LiveAccuracy live,
                                        Looks looks) {
        if (!config.getRolloutPolicy().equals(Promotion.AUTO) || production.getVersion() == null
                || production.getHeld()) {
            return Optional.empty();
        }
        Test test = new Test(config);
        Optional<Move> rollback = rollback(config.getDomain(), production, usable, rolledBack, live, test, looks);
        if (rollback.isPresent()) {
            return rollback;
        }
        Optional<AliasPointer> tried = candidate.filter(pointer -> pointer.getVersion() != null && !pointer.getHeld()
                && !pointer.getVersion().equals(production.getVersion()) && usable.test(pointer.getVersion()));
        return tried.flatMap(pointer -> trial(config, production, pointer, rolledBack, live, test, looks));
    }

    private static Optional<Move> rollback(String domain, AliasPointer production, IntPredicate usable,
                                           Set<Integer> rolledBack, LiveAccuracy live, Test test, Looks looks) {
        int serving = production.getVersion();
        Integer previous = production.getPreviousVersion();
        // A hold and release after a rollback makes a person the pointer's actor: the version left stays left.
        if (previous == null || previous == serving || !usable.test(previous) || rolledBack.contains(previous)
                || production.getActor().equals(ROLLBACK)) {
            return Optional.empty();
        }
        Instant moved = production.getMovedAt();
        if (!live.keptApartSince(domain, moved)) {
            return Optional.empty();
        }
        OptionalCheckpoint checkpoint = test.checkpoint(live.score(domain, serving, moved, Instant.MAX)
                .map(Score::count).orElse(0L));
        if (checkpoint.isEmpty()) {
            return Optional.empty();
        }
        long labels = checkpoint.labels();
        Optional<Score> now = live.reached(domain, List.of(serving), moved, labels)
                .flatMap(until -> live.score(domain, serving, moved, until));
        Optional<Score> before = live.latestBefore(domain, previous, moved, labels)
                .filter(score -> score.count() >= test.minLabels());
        Looks.Look look = new Looks.Look(domain, "rollback", List.of(serving, previous), moved, checkpoint.index());
        if (now.isEmpty() || before.isEmpty() || looks.seen(look)) {
            return Optional.empty();
        }
        if (!test.better(before.get(), now.get(), checkpoint.index())) {
            looks.saw(look);
            return Optional.empty();
        }
        return Optional.of(new Move(Promotion.PRODUCTION, previous, String.format(Locale.ROOT, "rollout: production "
                + "v%d live %s since it moved fell below v%d's %s just before, %s; rolled back", serving,
                figures(now.get()), previous, figures(before.get()), test.describe(checkpoint.index())), ROLLBACK));
    }

    private static Optional<Move> trial(DomainConfig config, AliasPointer production, AliasPointer candidate,
                                        Set<Integer> rolledBack, LiveAccuracy live, Test test, Looks looks) {
        String domain = config.getDomain();
        int serving = production.getVersion();
        int tried = candidate.getVersion();
        Instant since = candidate.getMovedAt().isAfter(production.getMovedAt()) ? candidate.getMovedAt()
                : production.getMovedAt();
        if (!live.keptApartSince(domain, since)) {
            return Optional.empty();
        }
        long fewer = Math.min(live.score(domain, tried, since, Instant.MAX).map(Score::count).orElse(0L),
                live.score(domain, serving, since, Instant.MAX).map(Score::count).orElse(0L));
        OptionalCheckpoint checkpoint = test.checkpoint(fewer);
        if (checkpoint.isEmpty()) {
            return Optional.empty();
        }
        Optional<Instant> until = live.reached(domain, List.of(tried, serving), since, checkpoint.labels());
        Optional<Score> challenger = until.flatMap(end -> live.score(domain, tried, since, end));
        Optional<Score> champion = until.flatMap(end -> live.score(domain, serving, since, end));
        Looks.Look look = new Looks.Look(domain, "trial", List.of(tried, serving), since, checkpoint.index());
        if (challenger.isEmpty() || champion.isEmpty() || looks.seen(look)) {
            return Optional.empty();
        }
        String figures = String.format(Locale.ROOT, "candidate v%d live %s against production v%d's %s over the "
                + "same time (%s)", tried, figures(challenger.get()), serving, figures(champion.get()),
                RolloutMode.of(config.getRolloutMode()).key());
        if (!rolledBack.contains(tried) && test.better(challenger.get(), champion.get(), checkpoint.index())) {
            return Optional.of(new Move(Promotion.PRODUCTION, tried, "rollout: " + figures + ", better "
                    + test.describe(checkpoint.index()) + "; promoted", PROMOTE));
        }
        if (test.better(champion.get(), challenger.get(), checkpoint.index())) {
            return Optional.of(new Move(RolloutMode.CANDIDATE, serving, "rollout: " + figures + ", worse "
                    + test.describe(checkpoint.index()) + "; retired", RETIRE));
        }
        looks.saw(look);
        return Optional.empty();
    }

    private static String figures(Score score) {
        return String.format(Locale.ROOT, "%.3f (%d labels)", score.accuracy(), score.count());
    }

    /** The checkpoint reached: its index from 0, and the labels each side has at it; index -1 before the first. */
    private record OptionalCheckpoint(int index, long labels) {
        boolean isEmpty() {
            return index < 0;
        }
    }

    /** The policy's test: its checkpoints, and a difference beyond the margin at that checkpoint's share of error. */
    private record Test(double margin, double confidence, long minLabels) {
        Test(DomainConfig config) {
            this(config.getRolloutMargin(), config.getRolloutConfidence(), config.getRolloutMinLabels());
        }

        /** The last checkpoint {@code labels} (on the side with fewer) has reached. */
        OptionalCheckpoint checkpoint(long labels) {
            if (labels < minLabels) {
                return new OptionalCheckpoint(-1, 0);
            }
            int index = 0;
            while (index < LAST_CHECKPOINT && labels >= minLabels << (index + 1)) {
                index++;
            }
            return new OptionalCheckpoint(index, minLabels << index);
        }

        /** Whether {@code a}'s accuracy exceeds {@code b}'s by more than the margin, at checkpoint {@code index}. */
        boolean better(Score a, Score b, int index) {
            double difference = a.accuracy() - b.accuracy() - margin;
            double error = Math.sqrt(a.accuracy() * (1 - a.accuracy()) / a.count()
                    + b.accuracy() * (1 - b.accuracy()) / b.count());
            return error == 0 ? difference > 0 : difference / error > NormalQuantile.inverse(level(index));
        }

        /** The one-sided confidence level checkpoint {@code index} tests at. */
        private double level(int index) {
            return 1 - (1 - confidence) / Math.pow(2, index + 1);
        }

        String describe(int index) {
            return String.format(Locale.ROOT, "by more than %.3f at checkpoint %d (%.2f %% confidence; %.0f %% over "
                    + "all checkpoints)", margin, index + 1, level(index) * 100, confidence * 100);
        }
    }
}

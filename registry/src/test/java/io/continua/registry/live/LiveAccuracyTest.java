package io.continua.registry.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.continua.registry.live.LiveAccuracy.Score;
import io.continua.schemas.DomainMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Live accuracy from metrics windows: replaced while open, kept apart for a while, then summed. */
class LiveAccuracyTest {
    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    /** The registry's clock: a day after the windows of these tests begin. */
    private final Clock clock = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);
    private final LiveAccuracy live = new LiveAccuracy(0.95, Duration.ofHours(1), clock, metrics);

    @Test
    void anOpenWindowsUpdateReplacesItsEarlierCounts() {
        live.apply(window("d", 1, 3, 5, 0));
        live.apply(window("d", 1, 8, 10, 0));
        live.apply(window("d", 1, 9, 10, 1));
        assertThat(live.score("d", 1)).hasValueSatisfying(score -> {
            assertThat(score.correct()).isEqualTo(17);
            assertThat(score.count()).isEqualTo(20);
            assertThat(score.last()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        });
        assertThat(metrics.get("continua_live_labels").tag("domain", "d").tag("version", "1").gauge().value())
                .isEqualTo(20.0);
    }

    @Test
    void windowsFarBehindTheirDomainsNewestAreSummedIntoTheAllTimeFigureOnly() {
        for (int minute = 0; minute < 10; minute++) {
            live.apply(window("d", 1, 8, 10, minute));
        }
        live.apply(window("d", 2, 5, 10, 10));
        assertThat(live.score("d", 1, T0, T0.plus(Duration.ofHours(2)))).map(Score::count).hasValue(100L);
        // An hour and a half later (another version answering now): version 1's windows are over an hour behind.
        live.apply(window("d", 2, 9, 10, 100));
        assertThat(live.score("d", 1)).as("still all of them").map(Score::count).hasValue(100L);
        assertThat(live.score("d", 1)).map(Score::accuracy).hasValue(0.8);
        assertThat(live.scores("d")).containsOnlyKeys(1, 2);
        assertThat(live.score("d", 1, T0, T0.plus(Duration.ofHours(2)))).as("no longer kept apart").isEmpty();
        assertThat(live.score("d", 2, T0, T0.plus(Duration.ofHours(2)))).as("within the hour: 10 labels")
                .map(Score::count).hasValue(10L);
        assertThat(live.reached("d", List.of(1), T0, 1)).isEmpty();
        assertThat(live.keptApartSince("d", T0)).isFalse();
        assertThat(live.keptApartSince("d", T0.plus(Duration.ofMinutes(41)))).isTrue();
        // A late update of a window already summed changes nothing (and is not counted twice).
        live.apply(window("d", 1, 10, 10, 0));
        assertThat(live.score("d", 1)).map(Score::count).hasValue(100L);
        // A window first seen this late counts in its version's all-time figure, but is not kept apart.
        live.apply(window("d", 3, 4, 10, 20));
        assertThat(live.score("d", 3)).map(Score::count).hasValue(10L);
        assertThat(live.score("d", 3, T0, T0.plus(Duration.ofHours(2)))).isEmpty();
        // Another domain's windows are measured from its own newest.
        live.apply(window("e", 1, 1, 2, 0));
        assertThat(live.score("e", 1, T0, T0.plus(Duration.ofHours(2)))).map(Score::count).hasValue(2L);
    }

    @Test
    void aWindowFromAClockYearsAheadDoesNotMakeTheOthersOld() {
        LiveAccuracy weekly = new LiveAccuracy(0.95, Duration.ofDays(7), clock, metrics);
        Instant hourAgo = clock.instant().minus(Duration.ofHours(1));
        weekly.apply(DomainMetrics.newBuilder().setDomain("f").setVersion(1).setCorrect(1).setCount(1)
                .setAccuracy(1.0).setWindowStart(Instant.parse("2036-01-01T00:00:00Z"))
                .setWindowEnd(Instant.parse("2036-01-01T00:01:00Z")).build());
        weekly.apply(DomainMetrics.newBuilder().setDomain("f").setVersion(1).setCorrect(3).setCount(4)
                .setAccuracy(0.75).setWindowStart(hourAgo).setWindowEnd(hourAgo.plusSeconds(60)).build());
        assertThat(weekly.keptApartSince("f", hourAgo)).isTrue();
        assertThat(weekly.score("f", 1, hourAgo, hourAgo.plusSeconds(60))).map(Score::count).hasValue(4L);
    }

    private static DomainMetrics window(String domain, int version, long correct, long count, int minute) {
        Instant start = T0.plus(Duration.ofMinutes(minute));
        return DomainMetrics.newBuilder().setDomain(domain).setVersion(version).setCorrect(correct).setCount(count)
                .setAccuracy((double) correct / count).setWindowStart(start).setWindowEnd(start.plusSeconds(60))
                .build();
    }
}

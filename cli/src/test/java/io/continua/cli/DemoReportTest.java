package io.continua.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo's report plots freshness and shows the offline reference when the demo measured one. */
class DemoReportTest {
    @Test
    void plotsFreshnessFromTheFirstServedVersionAndComparesWithOffline() {
        DemoTimeline timeline = new DemoTimeline();
        timeline.add(new DemoTimeline.Point(10, 450, 0, 0, 0, 0, Double.NaN));
        timeline.add(new DemoTimeline.Point(20, 900, 1, 1, 0.41, 9.5, 12.5));
        timeline.add(new DemoTimeline.Point(30, 1350, 2, 2, 0.63, 9.1, 7.0));
        DemoSummary summary = new DemoSummary("banking77", "lora", 0.9, 0.89, 3080, 1350, 2, 1, 0, 30, null)
                .withOffline(new DemoSummary.Offline(0.93, 0.92, 290, 4));

        String html = DemoReport.html(summary, timeline);

        assertThat(html).contains("<h2>Freshness: age of the newest example the served version learned from</h2>")
                .contains("served minus offline -0.0300").doesNotContain("NaN");
        String freshness = html.substring(html.indexOf("<h2>Freshness"));
        assertThat(freshness.split("<circle", -1)).as("one dot per point with a freshness").hasSize(3);
    }
}

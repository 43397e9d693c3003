package io.continua.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every TRAIN offset of a domain lies in exactly one registered version's range: no gap, no overlap. */
final class LineageAssert {
    private LineageAssert() {
    }

    static void coversExactlyOnce(List<JsonNode> versions, Map<Integer, List<Long>> trainOffsets, String topic) {
        List<long[]> ranges = new ArrayList<>();
        for (JsonNode version : versions) {
            for (JsonNode range : version.path("trainedOn")) {
                if (range.path("topic").asText().equals(topic)) {
                    ranges.add(new long[] {range.path("partition").asLong(), range.path("fromOffset").asLong(),
                            range.path("untilOffset").asLong()});
                }
            }
        }
        trainOffsets.forEach((partition, offsets) -> {
            for (long offset : offsets) {
                long covering = ranges.stream().filter(r -> r[0] == partition && r[1] <= offset && offset < r[2]).count();
                assertThat(covering).as("versions covering TRAIN offset %d of partition %d", offset, partition)
                        .isEqualTo(1);
            }
        });
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                long[] a = ranges.get(i);
                long[] b = ranges.get(j);
                boolean overlap = a[0] == b[0] && a[1] < b[2] && b[1] < a[2];
                assertThat(overlap).as("ranges [%d,%d) and [%d,%d) of partition %d overlap", a[1], a[2], b[1], b[2],
                        a[0]).isFalse();
            }
        }
    }

    /** The highest offset any version of the domain reaches on the topic (0 if none). */
    static long reach(List<JsonNode> versions, String topic) {
        long reach = 0;
        for (JsonNode version : versions) {
            for (JsonNode range : version.path("trainedOn")) {
                if (range.path("topic").asText().equals(topic)) {
                    reach = Math.max(reach, range.path("untilOffset").asLong());
                }
            }
        }
        return reach;
    }
}

package io.continua.registry.lineage;

import io.continua.schemas.DeltaVersion;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.kafka.KafkaConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Holds the lineage an upload claims to what is true: every offset range names the accepted topic,
 * a partition it has, and offsets it holds (below the partition's current end); and no range
 * overlaps one that a version by the same uploader already claims, so no example is counted as
 * learned twice and none is skipped on a trainer's resume. A failure is a 422 {@code invalid_lineage}
 * or {@code lineage_overlap} naming the range.
 */
public final class LineageCheck implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Admin admin;
    private final String acceptedTopic;

    public LineageCheck(KafkaConnection kafka, String acceptedTopic) {
        this.admin = Admin.create(kafka.properties());
        this.acceptedTopic = acceptedTopic;
    }

    /** Checks the ranges against the accepted topic as Kafka holds it now (a blocking call: off the event loop). */
    public void checkAgainstTopic(List<OffsetRange> ranges) {
        if (ranges.isEmpty()) {
            return;
        }
        for (OffsetRange range : ranges) {
            if (!range.getTopic().equals(acceptedTopic)) {
                throw invalid("names topic '" + range.getTopic() + "'; versions learn from " + acceptedTopic, range);
            }
        }
        try {
            TopicDescription topic = admin.describeTopics(List.of(acceptedTopic)).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(acceptedTopic);
            int partitions = topic.partitions().size();
            Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
            for (OffsetRange range : ranges) {
                if (range.getPartition() < 0 || range.getPartition() >= partitions) {
                    throw invalid("names partition " + range.getPartition() + "; " + acceptedTopic + " has "
                            + partitions, range);
                }
                wanted.put(new TopicPartition(acceptedTopic, range.getPartition()), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(wanted).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (OffsetRange range : ranges) {
                long end = ends.get(new TopicPartition(acceptedTopic, range.getPartition())).offset();
                if (range.getUntilOffset() > end) {
                    throw invalid("reaches past the partition's end, offset " + end, range);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ServiceException.unavailable("kafka_unavailable", "Interrupted while reading " + acceptedTopic);
        } catch (ExecutionException | TimeoutException e) {
            throw ServiceException.unavailable("kafka_unavailable", "Cannot read " + acceptedTopic + " to check the lineage: "
                    + e.getMessage());
        }
    }

    /** Refuses ranges that overlap what {@code earlier} versions by the same uploader claim. */
    public static void checkNoOverlap(List<OffsetRange> ranges, String uploader, List<DeltaVersion> earlier) {
        for (OffsetRange range : ranges) {
            for (DeltaVersion version : earlier) {
                if (!version.getCreatedBy().equals(uploader)) {
                    continue;
                }
                for (OffsetRange claimed : version.getTrainedOn()) {
                    if (claimed.getTopic().equals(range.getTopic()) && claimed.getPartition() == range.getPartition()
                            && range.getFromOffset() < claimed.getUntilOffset()
                            && claimed.getFromOffset() < range.getUntilOffset()) {
                        throw ServiceException.unprocessable("lineage_overlap", describe(range) + " overlaps "
                                + describe(claimed) + ", which version " + version.getVersion() + " already learned from");
                    }
                }
            }
        }
    }

    private static ServiceException invalid(String why, OffsetRange range) {
        return ServiceException.unprocessable("invalid_lineage", "The range " + describe(range) + " " + why);
    }

    private static String describe(OffsetRange range) {
        return range.getTopic() + "-" + range.getPartition() + " [" + range.getFromOffset() + ", "
                + range.getUntilOffset() + ")";
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}

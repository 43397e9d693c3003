package io.continua.cli;

import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.kafka.DomainNames;
import io.continua.schemas.kafka.KafkaConnection;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SettingValues;
import io.continua.service.settings.SharedSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code continua publish}: a producer of labeled examples, as a team would run one. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish labeled examples from a JSON Lines file to the examples topic.")
final class PublishCommand extends SettingsCommand {
    @Option(names = "--domain", required = true, description = "The domain the examples belong to.")
    private String domain;

    @Option(names = "--file", required = true, description = "JSON Lines of {\"text\",\"label\"}.")
    private Path file;

    @Option(names = "--rate", defaultValue = "0", description = "Records per second; 0 (the default) is as fast as possible.")
    private double rate;

    @Option(names = "--limit", description = "Publish at most this many records.")
    private Integer limit;

    @Override
    public SettingDefs settingDefs() {
        return ClusterSettings.DEFS;
    }

    @Override
    int run(SettingValues settings) throws Exception {
        if (!DomainNames.isValid(domain)) {
            throw new IllegalArgumentException("Domain '" + domain + "' does not match " + DomainNames.PATTERN.pattern());
        }
        List<LabeledText> rows = JsonlDataset.read(file);
        if (limit != null) {
            rows = rows.subList(0, Math.min(limit, rows.size()));
        }
        ProgressBar progress = new ProgressBar("publish", rows.size(), System.err);
        long acknowledged = publish(SharedSettings.kafka(settings), SharedSettings.topics(settings).examples(),
                domain, rows, rate, progress::advance);
        progress.done();
        System.out.println("Published " + acknowledged + " of " + rows.size() + " records to "
                + SharedSettings.topics(settings).examples() + " (acknowledged by the broker)");
        return acknowledged == rows.size() ? 0 : 1;
    }

    /**
     * Sends every row, paced to {@code rate} per second when positive; {@code acknowledgedSoFar} hears
     * the running count. Returns how many the broker acknowledged.
     */
    static long publish(KafkaConnection kafka, String topic, String domain, List<LabeledText> rows, double rate,
                        LongConsumer acknowledgedSoFar) throws Exception {
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long started = System.nanoTime();
        try (KafkaProducer<String, LabeledExample> producer = new KafkaProducer<>(kafka.client(Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5")), new StringSerializer(), RecordSerdes.labeledExample())) {
            for (int i = 0; i < rows.size(); i++) {
                if (rate > 0) {
                    long due = started + (long) (i / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                LabeledText row = rows.get(i);
                LabeledExample example = LabeledExample.newBuilder().setId(domain + "-" + i).setDomain(domain)
                        .setText(row.text()).setLabel(row.label()).setEventTime(Instant.now()).build();
                producer.send(new ProducerRecord<>(topic, domain, example), (metadata, error) -> {
                    if (error == null) {
                        acknowledgedSoFar.accept(acknowledged.incrementAndGet());
                    } else {
                        failure.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            System.err.println("Some records were not acknowledged: " + failure.get().getMessage());
        }
        return acknowledged.get();
    }
}

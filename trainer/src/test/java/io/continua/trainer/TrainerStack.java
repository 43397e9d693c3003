package io.continua.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.data.JsonlDataset;
import io.continua.peft.data.LabeledText;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.registry.RegistryConfig;
import io.continua.registry.RegistryService;
import io.continua.registry.RegistrySettings;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Split;
import io.continua.schemas.kafka.DeltaBlobs;
import io.continua.schemas.kafka.ExampleHeaders;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.service.settings.SharedSettings;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A real broker and registry on their own topics, Banking77 as accepted examples, and trainers to run. */
final class TrainerStack implements AutoCloseable {
    static final String TOKEN = "trainer-test-writer";
    static final String OPERATOR_TOKEN = "operator-test-admin";

    final PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
    final Vertx vertx = Vertx.vertx();
    final EmbeddedKafka kafka;
    final Topics topics;
    final RegistryService registry;
    final RegistryClient client;
    /** An operator's own token: what it uploads is not the trainer's. */
    final RegistryClient operator;
    private final KafkaProducer<String, LabeledExample> producer;
    private final List<TrainerService> trainers = new ArrayList<>();
    private int sequence;

    TrainerStack(EmbeddedKafka kafka, int partitions) throws InterruptedException {
        this.kafka = kafka;
        String run = UUID.randomUUID().toString().substring(0, 8);
        this.topics = new Topics("trn-" + run + ".");
        kafka.createTopics(topics.newTopics(partitions, (short) 1));
        Path dir = EmbeddedKafkaExtension.testDataDir().resolve("trainer-" + run);
        this.registry = RegistryService.start(RegistryConfig.defaults(kafka.bootstrapServers(), dir)
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(RegistrySettings.TRANSACTIONAL_ID, "writer-" + run)
                .with(RegistrySettings.PORT, 0)
                .with(RegistrySettings.TOKENS, List.of("trainer:admin:" + TOKEN, "ops:admin:" + OPERATOR_TOKEN)),
                        encoder, vertx);
        this.client = new RegistryClient(registry.url(), TOKEN, Duration.ofSeconds(30));
        this.operator = new RegistryClient(registry.url(), OPERATOR_TOKEN, Duration.ofSeconds(30));
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), RecordSerdes.labeledExample());
    }

    TrainerConfig config() {
        return TrainerConfig.defaults(kafka.bootstrapServers(), registry.url(), TOKEN)
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(TrainerSettings.GROUP_ID, "trainer-" + topics.prefix())
                .with(TrainerSettings.MIN_NEW_EXAMPLES, 48)
                .with(TrainerSettings.MAX_INTERVAL, Duration.ofSeconds(2))
                .with(TrainerSettings.STEPS_PER_UPDATE, 20)
                .with(TrainerSettings.PORT, 0)
                .with(TrainerSettings.SESSION_TIMEOUT, Duration.ofSeconds(6));
    }

    TrainerService startTrainer() {
        return startTrainer(config());
    }

    TrainerService startTrainer(TrainerConfig config) {
        TrainerService trainer = TrainerService.start(config, encoder, vertx);
        trainers.add(trainer);
        return trainer;
    }

    /** Publishes labeled texts to the accepted topic as ingest would, with the split given. */
    void publish(String domain, List<LabeledText> rows, Split split) throws Exception {
        for (LabeledText row : rows) {
            LabeledExample example = LabeledExample.newBuilder().setId(domain + "-" + sequence++).setDomain(domain)
                    .setText(row.text()).setLabel(row.label()).setEventTime(Instant.now()).setSplit(split).build();
            producer.send(new ProducerRecord<>(topics.examplesAccepted(), domain, example));
        }
        producer.flush();
    }

    /** Publishes a label correction as ingest forwards one: the text seen before, a new label, the header. */
    void publishCorrection(String domain, LabeledText row, Split split) throws Exception {
        LabeledExample example = LabeledExample.newBuilder().setId(domain + "-" + sequence++).setDomain(domain)
                .setText(row.text()).setLabel(row.label()).setEventTime(Instant.now()).setSplit(split).build();
        ProducerRecord<String, LabeledExample> record = new ProducerRecord<>(topics.examplesAccepted(), domain,
                example);
        ExampleHeaders.markCorrection(record.headers());
        producer.send(record);
        producer.flush();
    }

    /** Banking77 rows of the given intents, at most {@code perIntent} each. */
    static List<LabeledText> banking(String file, Set<String> intents, int perIntent) {
        Path path = Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77", file);
        Map<String, Integer> taken = new LinkedHashMap<>();
        return JsonlDataset.read(path).stream().filter(row -> intents.contains(row.label()))
                .filter(row -> taken.merge(row.label(), 1, Integer::sum) <= perIntent).toList();
    }

    static List<String> intents(int from, int count) {
        Path path = Path.of(System.getProperty("continua.datasets.dir", "../data"), "banking77", "train.jsonl");
        return JsonlDataset.read(path).stream().map(LabeledText::label).distinct().skip(from).limit(count).toList();
    }

    /** The versions the trainer made for the domain, oldest first; none while the registry does not know it yet. */
    List<JsonNode> versions(String domain) {
        return client.domain(domain).isPresent() ? client.allVersions(domain).stream()
                .filter(version -> version.path("createdBy").asText().equals("trainer")).toList() : List.of();
    }

    /**
     * Deletes the archives of every version of {@code domain} from the artifact topic (a tombstone
     * per chunk), as an artifact lost to a mistaken deletion would be; returns them, to
     * {@link #restoreArchives} them.
     */
    Map<String, byte[]> loseArchives(String domain) throws Exception {
        Map<String, byte[]> lost = new HashMap<>();
        try (KafkaProducer<String, byte[]> blobs = blobProducer()) {
            for (JsonNode version : client.allVersions(domain)) {
                String sha = version.path("sha256").asText();
                byte[] archive = client.artifact(domain, version.path("version").asInt());
                lost.put(sha, archive);
                for (DeltaBlobs.Chunk chunk : DeltaBlobs.chunks(sha, archive)) {
                    blobs.send(new ProducerRecord<>(topics.deltaBlobs(), chunk.key().key(), null)).get();
                }
            }
        }
        return lost;
    }

    /** Writes the lost archives' chunks back to the artifact topic. */
    void restoreArchives(Map<String, byte[]> lost) throws Exception {
        try (KafkaProducer<String, byte[]> blobs = blobProducer()) {
            for (Map.Entry<String, byte[]> archive : lost.entrySet()) {
                for (DeltaBlobs.Chunk chunk : DeltaBlobs.chunks(archive.getKey(), archive.getValue())) {
                    blobs.send(new ProducerRecord<>(topics.deltaBlobs(), chunk.key().key(), chunk.bytes())).get();
                }
            }
        }
    }

    private KafkaProducer<String, byte[]> blobProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The offset the trainers' consumer group has committed on a partition of the accepted topic, 0 if none. */
    long committedOffset(int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(config().groupId())
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition(topics.examplesAccepted(), partition));
            return offset == null ? 0 : offset.offset();
        }
    }

    /** The TRAIN offsets of a domain on the accepted topic, by partition. */
    Map<Integer, List<Long>> trainOffsets(String domain) {
        Map<Integer, List<Long>> offsets = new TreeMap<>();
        try (KafkaConsumer<String, LabeledExample> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringDeserializer(),
                RecordSerdes.labeledExample())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.examplesAccepted()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, LabeledExample> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().getDomain().equals(domain) && record.value().getSplit() == Split.TRAIN) {
                        offsets.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
                    }
                }
            }
        }
        return offsets;
    }

    @Override
    public void close() throws Exception {
        for (TrainerService trainer : trainers) {
            if (trainer.isRunning()) {
                trainer.close();
            }
        }
        producer.close();
        registry.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

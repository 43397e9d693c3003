package io.continua.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.kafka.EmbeddedKafka;
import io.continua.kafka.EmbeddedKafkaExtension;
import io.continua.peft.artifact.DeltaArtifact;
import io.continua.peft.delta.AdapterConfig;
import io.continua.peft.delta.AdapterFusionConfig;
import io.continua.peft.delta.Delta;
import io.continua.peft.delta.LoraConfig;
import io.continua.peft.encoder.PretrainedEncoder;
import io.continua.schemas.kafka.DeltaBlobs;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.settings.SharedSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A registry on its own topics and directory, with one token per role, and artifacts to upload. */
final class RegistryFixture {
    static final String ADMIN = "admin-secret-0001";
    static final String WRITER = "writer-secret-0001";
    static final String READER = "reader-secret-0001";
    static final String PRODUCER = "producer-secret-0001";
    static final List<String> LABELS = List.of("card_arrival", "top_up", "refund");

    final PretrainedEncoder encoder = PretrainedEncoder.allMiniLmL6V2();
    final EmbeddedKafka kafka;
    final Topics topics;
    final Path dir;
    final RegistryConfig config;

    RegistryFixture(EmbeddedKafka kafka, long maxArtifactBytes) {
        this.kafka = kafka;
        String run = UUID.randomUUID().toString().substring(0, 8);
        this.topics = new Topics("reg-" + run + ".");
        kafka.createTopics(topics.newTopics(2, (short) 1));
        fillAccepted(ACCEPTED_RECORDS);
        this.dir = EmbeddedKafkaExtension.testDataDir().resolve("registry-" + run);
        this.config = RegistryConfig.defaults(kafka.bootstrapServers(), dir)
                .with(SharedSettings.TOPIC_PREFIX, topics.prefix())
                .with(RegistrySettings.TRANSACTIONAL_ID, "registry-writer-" + run)
                .with(RegistrySettings.PORT, 0)
                .with(RegistrySettings.MAX_ARTIFACT_BYTES, maxArtifactBytes)
                .with(RegistrySettings.TOKENS, List.of("ops:admin:" + ADMIN, "trainer:write:" + WRITER, "dashboard:read:" + READER,
                        "producer:schema:" + PRODUCER));
    }

    /** Records written to each partition of the accepted topic: what lineage may claim. */
    static final int ACCEPTED_RECORDS = 300;

    private void fillAccepted(int perPartition) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topics.examplesAccepted(), partition, null, new byte[] {1}));
                }
            }
            producer.flush();
        }
    }

    /** {@code metadata} claiming offsets {@code [from, until)} of a partition of the accepted topic. */
    ObjectNode withLineage(ObjectNode metadata, int partition, long from, long until) {
        metadata.putArray("trainedOn").addObject().put("topic", topics.examplesAccepted()).put("partition", partition)
                .put("fromOffset", from).put("untilOffset", until);
        return metadata;
    }

    /** Writes the archive's chunks to the artifact topic as a plain producer would: the bytes, or tombstones. */
    void writeChunks(String sha256, byte[] archive, boolean tombstones) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            for (DeltaBlobs.Chunk chunk : DeltaBlobs.chunks(sha256, archive)) {
                producer.send(new ProducerRecord<>(topics.deltaBlobs(), chunk.key().key(),
                        tombstones ? null : chunk.bytes())).get();
            }
        }
    }

    static RegistryClient client(RegistryService service, String token) {
        return new RegistryClient(service.url(), token, Duration.ofSeconds(30));
    }

    /** A fresh LoRA archive; different seeds give different bytes. */
    byte[] artifact(long seed) {
        return artifact(seed, encoder.fingerprint());
    }

    byte[] artifact(long seed, String baseModel) {
        Delta delta = Delta.initialize(LoraConfig.defaults(), encoder.architecture(), LABELS, seed);
        return DeltaArtifact.pack(delta, baseModel, Optional.empty()).bytes();
    }

    /** An adapter delta's archive, its tensors drawn from {@code seed}. */
    byte[] adapterArtifact(long seed) {
        return DeltaArtifact.pack(adapter(seed), encoder.fingerprint(), Optional.empty()).bytes();
    }

    private Delta adapter(long seed) {
        return Delta.initialize(AdapterConfig.defaults(), encoder.architecture(), LABELS, seed).withRandomValues(seed, 0.1);
    }

    /**
     * An AdapterFusion delta's archive carrying {@link #adapterArtifact(long) adapters} of {@code seed}, its sources
     * pinned as {@code sources} says.
     */
    byte[] fusionArtifact(long seed, String... sources) {
        AdapterFusionConfig config = new AdapterFusionConfig(Arrays.stream(sources)
                .map(AdapterFusionConfig.Source::parse).toList(), AdapterConfig.Placement.PFEIFFER, 16, 4);
        List<Delta> adapters = Arrays.stream(sources).map(source -> adapter(seed)).toList();
        Delta fusion = config.compose(adapters, config.sources().stream().map(AdapterFusionConfig.Source::version)
                .toList(), encoder.architecture(), LABELS, 1);
        return DeltaArtifact.pack(fusion, encoder.fingerprint(), Optional.empty()).bytes();
    }

    /**
     * Upload metadata that also says how the version compares with {@code comparedVersion} on the
     * same {@code examples} holdout examples, which cover {@code labelsCovered} labels.
     */
    static ObjectNode metadata(Integer parent, double holdoutAccuracy, int comparedVersion, double comparedAccuracy,
                               int examples, int labelsCovered) {
        ObjectNode metadata = metadata(parent, holdoutAccuracy);
        metadata.putObject("comparison").put("version", comparedVersion).put("examples", examples)
                .put("labelsCovered", labelsCovered).putObject("metrics").put("holdout_accuracy", comparedAccuracy);
        return metadata;
    }

    static ObjectNode metadata(Integer parent, double holdoutAccuracy) {
        ObjectNode metadata = RegistryClient.object();
        if (parent != null) {
            metadata.put("parentVersion", parent);
        }
        metadata.putObject("metrics").put("holdout_accuracy", holdoutAccuracy);
        metadata.put("trainWallMs", 1500);
        return metadata;
    }
}

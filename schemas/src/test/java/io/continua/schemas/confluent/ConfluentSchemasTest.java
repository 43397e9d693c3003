package io.continua.schemas.confluent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.continua.schemas.LabeledExample;
import io.continua.schemas.SampleRecords;
import io.continua.schemas.serde.InputDeserializer;
import io.continua.schemas.serde.RecordFormat;
import io.continua.schemas.serde.RecordSerdes;
import io.continua.schemas.serde.SchemaCatalog;
import io.continua.schemas.serde.UndecodableRecordException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Confluent-format records written with a producer's own schema, resolved through a registry over
 * HTTP: the writer's schema is honoured, unknown ids are not remembered, and a registry that does
 * not answer is retried, then reported as unavailable, never taken for an unknown id.
 */
class ConfluentSchemasTest {
    /** A producer's schema: Continua's fields in another order, without those Continua gives defaults. */
    private static final Schema PRODUCER = new Schema.Parser().parse("{\"type\": \"record\", \"name\": "
            + "\"LabeledExample\", \"namespace\": \"io.continua.schemas\", \"fields\": [{\"name\": \"label\", "
            + "\"type\": \"string\"}, {\"name\": \"text\", \"type\": \"string\"}, {\"name\": \"id\", \"type\": "
            + "\"string\"}, {\"name\": \"domain\", \"type\": \"string\"}, {\"name\": \"eventTime\", \"type\": "
            + "[\"null\", {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}], \"default\": null}]}");
    private static final int PRODUCER_ID = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeSchemaRegistry registry = new FakeSchemaRegistry("/api");

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void aRecordIsReadWithItsWritersSchemaResolvedIntoContinuas() throws IOException {
        registry.answer(PRODUCER_ID, schemaAnswer(PRODUCER.toString()));
        InputDeserializer<LabeledExample> examples = examples(ConfluentSchemas.at(registry.url("/api"), null));
        LabeledExample read = examples.deserialize("t", producerRecord("p-1", "Where is my card?"));
        assertThat(read.getId()).isEqualTo("p-1");
        assertThat(read.getText()).isEqualTo("Where is my card?");
        assertThat(read.getLabel()).isEqualTo("card_arrival");
        assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_764_219_600_000L));
        assertThat(read.getRequestId()).isNull();
        examples.deserialize("t", producerRecord("p-2", "again"));
        assertThat(registry.calls()).as("an id is asked once").isEqualTo(1);
    }

    @Test
    void anUnknownIdIsDeadLetteredButAskedAgainOnceRegistered() throws IOException {
        InputDeserializer<LabeledExample> examples = examples(ConfluentSchemas.at(registry.url("/api"), null));
        byte[] record = producerRecord("p-3", "text");
        UndecodableRecordException unknown = catchThrowableOfType(UndecodableRecordException.class,
                () -> examples.deserialize("t", record));
        assertThat(unknown.reason()).isEqualTo(UndecodableRecordException.Reason.UNKNOWN_SCHEMA);
        assertThat(unknown.getMessage()).contains("schema id 7").contains(registry.url("/api"));
        registry.answer(PRODUCER_ID, schemaAnswer(PRODUCER.toString()));
        assertThat(examples.deserialize("t", record).getId()).isEqualTo("p-3");
    }

    @Test
    void aRegistryThatDoesNotAnswerIsRetriedThenUnavailableNeverUnknown() throws IOException {
        registry.answer(PRODUCER_ID, schemaAnswer(PRODUCER.toString()));
        registry.failNext(2);
        assertThat(ConfluentSchemas.at(registry.url("/api"), null, Duration.ofSeconds(5)).byId(PRODUCER_ID))
                .as("answered on the third call").isPresent();

        registry.failNext(100);
        InputDeserializer<LabeledExample> examples = examples(ConfluentSchemas.at(registry.url("/api"), null,
                Duration.ofMillis(600)));
        assertThatThrownBy(() -> examples.deserialize("t", producerRecord("p-4", "text")))
                .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("503");
        registry.failNext(0);
        // A 404 that is not the registry's own "not found" is a wrong URL, not an unknown id.
        assertThatThrownBy(() -> ConfluentSchemas.at(registry.url("/wrong"), null, Duration.ZERO).byId(PRODUCER_ID))
                .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("404");
        assertThatThrownBy(() -> ConfluentSchemas.at("http://127.0.0.1:1/api", null, Duration.ZERO).byId(5))
                .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("Cannot reach");
    }

    @Test
    void anIdHoldingNoReadableAvroSchemaIsDeadLetteredAsIncompatible() throws IOException {
        registry.answer(PRODUCER_ID, JSON.writeValueAsString(Map.of("schemaType", "PROTOBUF", "schema",
                "syntax = 1;")));
        registry.answer(8, schemaAnswer("{\"type\": \"record\", \"name\": \"X\", \"fields\": [{\"name\": \"a\", "
                + "\"type\": \"int\", \"default\": \"not an int\"}]}"));
        InputDeserializer<LabeledExample> examples = examples(ConfluentSchemas.at(registry.url("/api"), null));
        UndecodableRecordException protobuf = catchThrowableOfType(UndecodableRecordException.class,
                () -> examples.deserialize("t", producerRecord("p-5", "text")));
        assertThat(protobuf.reason()).isEqualTo(UndecodableRecordException.Reason.INCOMPATIBLE_SCHEMA);
        assertThat(protobuf.getMessage()).contains("PROTOBUF");
        byte[] badDefault = producerRecord("p-6", "text");
        badDefault[4] = 8;
        assertThat(catchThrowableOfType(UndecodableRecordException.class, () -> examples.deserialize("t", badDefault))
                .reason()).isEqualTo(UndecodableRecordException.Reason.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void shippedSchemasHaveDistinctIdsAboveThoseOfCountingRegistries() {
        assertThat(SchemaCatalog.standard().schemas().stream().map(SchemaIds::of).distinct().count())
                .isEqualTo(SchemaCatalog.standard().schemas().size());
        assertThat(SchemaCatalog.standard().schemas()).allSatisfy(schema ->
                assertThat(SchemaIds.of(schema)).isGreaterThanOrEqualTo(1 << 30));
        LabeledExample sample = SampleRecords.labeledExample("s");
        assertThat(ConfluentSchemas.shipped(SchemaIds.of(sample.getSchema()))).isPresent();
    }

    private static InputDeserializer<LabeledExample> examples(ConfluentSchemas schemas) {
        return RecordSerdes.input(LabeledExample.class, EnumSet.allOf(RecordFormat.class), schemas);
    }

    private static String schemaAnswer(String schema) throws IOException {
        return JSON.writeValueAsString(Map.of("schema", schema));
    }

    private static byte[] producerRecord(String id, String text) throws IOException {
        GenericRecord record = new GenericData.Record(PRODUCER);
        record.put("label", "card_arrival");
        record.put("text", text);
        record.put("id", id);
        record.put("domain", "banking");
        record.put("eventTime", 1_764_219_600_000L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ConfluentWireFormat.header(PRODUCER_ID));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(PRODUCER).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}

package io.continua.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.SampleRecords;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.confluent.ConfluentWireFormat;
import io.continua.schemas.confluent.SchemaIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Input records in each accepted format, told apart by their first bytes, and what each refusal says. */
class InputFormatsTest {
    private static final ConfluentSchemas SHIPPED = ConfluentSchemas.shippedOnly();
    private static final InputDeserializer<LabeledExample> EXAMPLES = RecordSerdes.input(LabeledExample.class,
            EnumSet.allOf(RecordFormat.class), SHIPPED);

    @Test
    void aJsonObjectReadsAsTheRecordItsFieldsDescribe() {
        LabeledExample expected = SampleRecords.labeledExample("json-1");
        String json = " {\"id\": \"json-1\", \"domain\": \"banking\", \"text\": \"How do I top up my card?\", "
                + "\"label\": \"top_up\", \"eventTime\": \"" + expected.getEventTime() + "\", "
                + "\"requestId\": \"req-json-1\", \"split\": \"HOLDOUT\"}";
        assertThat(read(json)).isEqualTo(expected);
        LabeledExample minimal = read("{\"id\": \"m\", \"domain\": \"banking\", \"text\": \"t\", \"label\": \"l\", "
                + "\"eventTime\": 1764219600000}");
        assertThat(minimal.getEventTime()).isEqualTo(Instant.ofEpochMilli(1764219600000L));
        assertThat(minimal.getRequestId()).as("absent nullable field").isNull();
        assertThat(minimal.getSplit()).isNull();
        PredictionRequest request = RecordSerdes.input(PredictionRequest.class, Set.of(RecordFormat.JSON), SHIPPED).deserialize(
                "t", bytes("{\"requestId\": \"r\", \"domain\": \"banking\", \"text\": \"hi\", \"version\": 3, "
                        + "\"alias\": null, \"eventTime\": 5}"));
        assertThat(request.getVersion()).isEqualTo(3);
        assertThat(request.getEventTime()).isEqualTo(Instant.ofEpochMilli(5));
    }

    @Test
    void aJsonRecordThatDoesNotFitItsSchemaIsRefusedNamingTheField() {
        assertRefused("{\"id\": \"x\", \"domain\": \"b\", \"text\": \"t\"}", UndecodableRecordException.Reason.INVALID_JSON,
                "Missing field 'label'");
        assertRefused("{\"id\": \"x\", \"domain\": \"b\", \"text\": \"t\", \"lable\": \"l\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "Unknown field(s) [lable]");
        assertRefused("{\"id\": 7, \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "Field 'id' must be a string");
        assertRefused("{\"id\": \"x\", \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\", \"eventTime\": \"yesterday\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "ISO-8601");
        assertRefused("{\"id\": \"x\", \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\", \"split\": \"TEST\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "[TRAIN, HOLDOUT]");
        assertRefused("{\"id\": \"x\",", UndecodableRecordException.Reason.INVALID_JSON, "Not valid JSON");
        assertRefused("{\"id\": \"x\", \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\", "
                + "\"eventTime\": \"+300000000-01-01T00:00:00Z\"}", UndecodableRecordException.Reason.INVALID_JSON,
                "epoch milliseconds");
        assertRefused("{\"id\": \"x\", \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\"}{\"id\": \"y\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "Not valid JSON");
        assertRefused("{\"id\": \"x\", \"id\": \"y\", \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "Duplicate field 'id'");
        assertRefused("{\"id\": [\"" + "x".repeat(10_000) + "\"], \"domain\": \"b\", \"text\": \"t\", \"label\": \"l\"}",
                UndecodableRecordException.Reason.INVALID_JSON, "(10004 characters)");
        LabeledExample withBom = EXAMPLES.deserialize("t", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                bytes("{\"id\": \"b\", \"domain\": \"banking\", \"text\": \"t\", \"label\": \"l\"}")));
        assertThat(withBom.getId()).as("a UTF-8 byte order mark before the JSON").isEqualTo("b");
    }

    @Test
    void eachFormatIsToldApartByItsFirstBytes() {
        byte[] avro = RecordSerdes.labeledExample().serialize("t", SampleRecords.labeledExample("a-1"));
        assertThat(RecordFormat.detect(avro)).contains(RecordFormat.SINGLE_OBJECT);
        assertThat(EXAMPLES.deserialize("t", avro).getId()).isEqualTo("a-1");
        assertThat(RecordFormat.detect(new byte[] {0, 0, 0, 0, 42, 2})).contains(RecordFormat.CONFLUENT);
        assertRefused(new byte[] {0, 0, 0, 0, 42, 2}, EXAMPLES, UndecodableRecordException.Reason.UNKNOWN_SCHEMA,
                "schema id 42");
        assertRefused(bytes("hello"), EXAMPLES, UndecodableRecordException.Reason.UNKNOWN_FORMAT, "Starts with 68");
        assertRefused(bytes("{\"id\": \"x\"}"), RecordSerdes.input(LabeledExample.class,
                Set.of(RecordFormat.SINGLE_OBJECT), SHIPPED), UndecodableRecordException.Reason.FORMAT_NOT_ACCEPTED,
                "A json record; this deployment accepts single-object");
        assertThat(RecordFormat.fromKey("single-object")).isEqualTo(RecordFormat.SINGLE_OBJECT);
    }

    /** What serving writes as JSON for consumers without Avro, ingest reads back as the same record. */
    @Test
    void recordsWrittenAsJsonReadBackTheSame() throws Exception {
        InputDeserializer<Prediction> predictions = RecordSerdes.output(Prediction.class, SHIPPED);
        Prediction prediction = SampleRecords.everyType().stream().filter(Prediction.class::isInstance)
                .map(Prediction.class::cast).findFirst().orElseThrow();
        byte[] json = new JsonSerializer<Prediction>().serialize("t", prediction);
        JsonNode tree = new ObjectMapper().readTree(json);
        assertThat(tree.path("scores").get(0).path("label").isTextual()).isTrue();
        assertThat(tree.path("eventTime").asText()).isEqualTo(prediction.getEventTime().toString());
        assertThat(predictions.deserialize("t", json)).isEqualTo(prediction);
        byte[] extended = bytes(new String(json, StandardCharsets.UTF_8).replaceFirst("\\{",
                "{\"addedLater\": 1, "));
        assertThat(predictions.deserialize("t", extended)).as("our own output, from a newer writer")
                .isEqualTo(prediction);
        LabeledExample example = SampleRecords.labeledExample("round");
        assertThat(EXAMPLES.deserialize("t", new JsonSerializer<LabeledExample>().serialize("t", example)))
                .isEqualTo(example);
    }

    /** Confluent's wire format with a shipped schema's id reads without asking any registry. */
    @Test
    void confluentRecordsOfShippedSchemasReadBackTheSame() {
        LabeledExample example = SampleRecords.labeledExample("c-1");
        int id = SchemaIds.of(example.getSchema());
        byte[] framed = new ConfluentSerializer<>(LabeledExample.class, id).serialize("t", example);
        assertThat(framed[0]).isZero();
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(id);
        assertThat(EXAMPLES.deserialize("t", framed)).isEqualTo(example);
        Prediction prediction = SampleRecords.everyType().stream().filter(Prediction.class::isInstance)
                .map(Prediction.class::cast).findFirst().orElseThrow();
        byte[] predictionBytes = new ConfluentSerializer<>(Prediction.class, SchemaIds.of(prediction.getSchema()))
                .serialize("t", prediction);
        assertThat(RecordSerdes.output(Prediction.class, SHIPPED).deserialize("t", predictionBytes))
                .isEqualTo(prediction);
        assertRefused(predictionBytes, EXAMPLES, UndecodableRecordException.Reason.INCOMPATIBLE_SCHEMA,
                "(io.continua.schemas.Prediction) cannot be read as Continua's io.continua.schemas.LabeledExample");
        assertRefused(Arrays.copyOf(framed, framed.length - 3), EXAMPLES, UndecodableRecordException.Reason.CORRUPT,
                "schema id " + id);
        assertRefused(concat(framed, new byte[] {1}), EXAMPLES, UndecodableRecordException.Reason.CORRUPT,
                "Bytes left after");
    }

    private static LabeledExample read(String json) {
        return EXAMPLES.deserialize("t", bytes(json));
    }

    private static void assertRefused(String json, UndecodableRecordException.Reason reason, String detail) {
        assertRefused(bytes(json), EXAMPLES, reason, detail);
    }

    private static void assertRefused(byte[] bytes, InputDeserializer<LabeledExample> input,
                                      UndecodableRecordException.Reason reason, String detail) {
        UndecodableRecordException refused = catchThrowableOfType(UndecodableRecordException.class,
                () -> input.deserialize("t", bytes));
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.reason()).as(refused.getMessage()).isEqualTo(reason);
        assertThat(refused.getMessage()).contains(detail);
        assertThat(refused.rawBytes()).isEqualTo(bytes);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

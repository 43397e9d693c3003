package io.continua.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.schemas.LabeledExample;
import io.continua.schemas.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {
    /** LabeledExample as a later build might write it: one more optional field. */
    private static final Schema NEWER = new Schema.Parser().parse("""
            {"type":"record","name":"LabeledExample","namespace":"io.continua.schemas","fields":[
              {"name":"id","type":"string"},
              {"name":"domain","type":"string"},
              {"name":"text","type":"string"},
              {"name":"label","type":"string"},
              {"name":"eventTime","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
              {"name":"requestId","type":["null","string"],"default":null},
              {"name":"split","type":["null",{"type":"enum","name":"Split","symbols":["TRAIN","HOLDOUT"]}],"default":null},
              {"name":"source","type":["null","string"],"default":null}
            ]}""");

    /** LabeledExample as an earlier build might have written it: without the optional fields. */
    private static final Schema OLDER = new Schema.Parser().parse("""
            {"type":"record","name":"LabeledExample","namespace":"io.continua.schemas","fields":[
              {"name":"id","type":"string"},
              {"name":"domain","type":"string"},
              {"name":"text","type":"string"},
              {"name":"label","type":"string"}
            ]}""");

    @Test
    void currentReaderDecodesANewerWriterIgnoringTheAddedField() throws Exception {
        GenericRecord newer = new GenericData.Record(NEWER);
        newer.put("id", "1");
        newer.put("domain", "banking");
        newer.put("text", "Where is my card?");
        newer.put("label", "card_arrival");
        newer.put("eventTime", 1_700_000_000_000L);
        newer.put("requestId", "r-1");
        newer.put("split", new GenericData.EnumSymbol(NEWER.getField("split").schema().getTypes().get(1), "TRAIN"));
        newer.put("source", "mobile-app");
        byte[] bytes = encode(NEWER, newer);

        LabeledExample decoded = new AvroSerde<>(LabeledExample.class, SchemaCatalog.standard().with(List.of(NEWER)))
                .deserialize("t", bytes);

        assertThat(decoded.getText()).isEqualTo("Where is my card?");
        assertThat(decoded.getRequestId()).isEqualTo("r-1");
        assertThat(decoded.getEventTime().toEpochMilli()).isEqualTo(1_700_000_000_000L);
        assertThat(decoded.getSplit()).hasToString("TRAIN");
    }

    @Test
    void currentReaderDecodesAnOlderWriterWithDefaultsForTheMissingFields() throws Exception {
        GenericRecord older = new GenericData.Record(OLDER);
        older.put("id", "2");
        older.put("domain", "banking");
        older.put("text", "Top up failed");
        older.put("label", "top_up_failed");

        LabeledExample decoded = new AvroSerde<>(LabeledExample.class, SchemaCatalog.standard().with(List.of(OLDER)))
                .deserialize("t", encode(OLDER, older));

        assertThat(decoded.getLabel()).isEqualTo("top_up_failed");
        assertThat(decoded.getEventTime()).isNull();
        assertThat(decoded.getRequestId()).isNull();
        assertThat(decoded.getSplit()).isNull();
    }

    @Test
    void olderReaderDecodesWhatTheCurrentWriterWrites() throws Exception {
        byte[] current = RecordSerdes.labeledExample().serialize("t", SampleRecords.labeledExample("3"));
        BinaryMessageDecoder<GenericRecord> olderReader = new BinaryMessageDecoder<>(GenericData.get(), OLDER,
                SchemaCatalog.standard());

        GenericRecord decoded = olderReader.decode(current);

        assertThat(decoded.get("id")).hasToString("3");
        assertThat(decoded.get("text")).hasToString("How do I top up my card?");
        assertThat(decoded.getSchema().getField("requestId")).isNull();
    }

    @Test
    void newerReaderDecodesWhatTheCurrentWriterWritesWithTheNewFieldDefaulted() throws Exception {
        byte[] current = RecordSerdes.labeledExample().serialize("t", SampleRecords.labeledExample("4"));
        BinaryMessageDecoder<GenericRecord> newerReader = new BinaryMessageDecoder<>(GenericData.get(), NEWER,
                SchemaCatalog.standard());

        GenericRecord decoded = newerReader.decode(current);

        assertThat(decoded.get("label")).hasToString("top_up");
        assertThat(decoded.get("source")).isNull();
    }

    @Test
    void aWriterVersionTheCatalogDoesNotKnowIsRefusedClearly() throws Exception {
        GenericRecord older = new GenericData.Record(OLDER);
        older.put("id", "5");
        older.put("domain", "banking");
        older.put("text", "x");
        older.put("label", "y");

        assertThatThrownBy(() -> RecordSerdes.labeledExample().deserialize("t", encode(OLDER, older)))
                .isInstanceOfSatisfying(UndecodableRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(UndecodableRecordException.Reason.UNKNOWN_SCHEMA));
    }

    @Test
    void everyRecordsCurrentSchemaIsKeptInItsHistory() {
        for (Class<? extends SpecificRecord> record : SchemaCatalog.RECORDS) {
            List<Schema> history = SchemaCatalog.history(record);
            Schema current = SpecificData.get().getSchema(record);
            assertThat(history).as("kept versions of %s", record.getSimpleName()).isNotEmpty();
            assertThat(SchemaCatalog.fingerprint(history.get(history.size() - 1)))
                    .as("%s's newest kept version is the one the code is generated from; "
                            + "add schemas/history/%s/v%d.avsc", record.getSimpleName(), record.getSimpleName(),
                            history.size() + 1)
                    .isEqualTo(SchemaCatalog.fingerprint(current));
        }
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record, out);
        return out.toByteArray();
    }
}

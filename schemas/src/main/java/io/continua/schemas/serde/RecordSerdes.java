package io.continua.schemas.serde;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.confluent.ConfluentSchemas;
import java.util.EnumSet;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The serde of each record on Continua's topics, all over the standard {@link SchemaCatalog}: one
 * shared instance per record type (serdes are thread-safe and hold no resources).
 */
public final class RecordSerdes {
    private static final ClassValue<AvroSerde<?>> SHARED = new ClassValue<>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        protected AvroSerde<?> computeValue(Class<?> type) {
            return new AvroSerde(type, SchemaCatalog.standard());
        }
    };

    private RecordSerdes() {
    }

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return (AvroSerde<T>) SHARED.get(type);
    }

    /**
     * Reads input records of {@code type} in any of the {@code accepted} formats, JSON held to the schema,
     * Confluent schema ids resolved by {@code schemas}.
     */
    public static <T extends SpecificRecord> InputDeserializer<T> input(Class<T> type, Set<RecordFormat> accepted,
                                                                        ConfluentSchemas schemas) {
        return new InputDeserializer<>(type, of(type), accepted, false, schemas);
    }

    /** Reads what Continua itself wrote, in any format it writes; JSON fields a newer writer added are ignored. */
    public static <T extends SpecificRecord> InputDeserializer<T> output(Class<T> type, ConfluentSchemas schemas) {
        return new InputDeserializer<>(type, of(type), EnumSet.allOf(RecordFormat.class), true, schemas);
    }

    public static AvroSerde<LabeledExample> labeledExample() {
        return of(LabeledExample.class);
    }

    public static AvroSerde<RejectedRecord> rejectedRecord() {
        return of(RejectedRecord.class);
    }

    public static AvroSerde<PredictionRequest> predictionRequest() {
        return of(PredictionRequest.class);
    }

    public static AvroSerde<Prediction> prediction() {
        return of(Prediction.class);
    }

    public static AvroSerde<DeltaVersion> deltaVersion() {
        return of(DeltaVersion.class);
    }

    public static AvroSerde<AliasPointer> aliasPointer() {
        return of(AliasPointer.class);
    }

    public static AvroSerde<DomainConfig> domainConfig() {
        return of(DomainConfig.class);
    }

    public static AvroSerde<DomainMetrics> domainMetrics() {
        return of(DomainMetrics.class);
    }
}

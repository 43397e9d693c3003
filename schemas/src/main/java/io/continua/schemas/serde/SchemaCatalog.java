package io.continua.schemas.serde;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RegisteredSchema;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.SubjectCompatibility;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every schema version a Continua record has had, found by fingerprint. Versions are kept as
 * {@code schemas/history/<Record>/v<n>.avsc} (shipped as classpath resources): a reader can then
 * decode records written with any earlier or later version it knows. Never edit or delete a kept
 * version; add the next one beside it.
 */
public final class SchemaCatalog implements SchemaStore {
    /**
     * The records on Continua's topics, in DESIGN.md's order (DomainConfig and the schemas API's records share the
     * deltas topic).
     */
    public static final List<Class<? extends SpecificRecord>> RECORDS = List.of(
            LabeledExample.class, RejectedRecord.class, PredictionRequest.class, Prediction.class,
            DeltaVersion.class, AliasPointer.class, DomainMetrics.class, DomainConfig.class,
            RegisteredSchema.class, SubjectCompatibility.class);

    private static final String HISTORY = "/io/continua/schemas/history/";
    private static final SchemaCatalog STANDARD = loadStandard();

    private final Map<Long, Schema> byFingerprint;

    private SchemaCatalog(Map<Long, Schema> byFingerprint) {
        this.byFingerprint = Map.copyOf(byFingerprint);
    }

    /** The kept history of every record plus the schemas the code was generated from. */
    public static SchemaCatalog standard() {
        return STANDARD;
    }

    /** A catalog that also knows {@code extra}, e.g. a newer writer's schema this build does not ship. */
    public SchemaCatalog with(Collection<Schema> extra) {
        Map<Long, Schema> all = new HashMap<>(byFingerprint);
        extra.forEach(schema -> all.put(fingerprint(schema), schema));
        return new SchemaCatalog(all);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    /** Every schema this catalog knows. */
    public Collection<Schema> schemas() {
        return byFingerprint.values();
    }

    /** The kept versions of one record, oldest first. */
    public static List<Schema> history(Class<? extends SpecificRecord> record) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String resource = HISTORY + record.getSimpleName() + "/v" + version + ".avsc";
            try (InputStream in = SchemaCatalog.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read schema " + resource, e);
            }
        }
    }

    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    private static SchemaCatalog loadStandard() {
        Map<Long, Schema> all = new HashMap<>();
        for (Class<? extends SpecificRecord> record : RECORDS) {
            for (Schema schema : history(record)) {
                all.put(fingerprint(schema), schema);
            }
            Schema current = SpecificData.get().getSchema(record);
            all.put(fingerprint(current), current);
        }
        return new SchemaCatalog(all);
    }
}

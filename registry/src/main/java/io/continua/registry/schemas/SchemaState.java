package io.continua.registry.schemas;

import io.continua.registry.schemas.SchemaSubjects.Subject;
import io.continua.schemas.RegisteredSchema;
import io.continua.schemas.SubjectCompatibility;
import io.continua.schemas.confluent.ConfluentSchemas;
import io.continua.schemas.confluent.SchemaIds;
import io.continua.schemas.serde.SchemaCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas API's view: every subject's versions and every schema's id, as the {@code deltas} log
 * holds them, and the compatibility levels set. A subject's versions are those in the log, then the
 * versions of its record this build ships and the log does not hold yet (the writer records them at
 * start, so their numbers stay). Two schemas with the same parsing canonical form (the same binary
 * layout) are the same schema: same id, same version. Thread-safe.
 */
public final class SchemaState {
    private static final Logger log = LoggerFactory.getLogger(SchemaState.class);

    /**
     * One version of a subject.
     *
     * @param logged      whether the log holds it, or this build ships it and the writer has yet to record it
     * @param fingerprint the schema's parsing fingerprint: two schemas with the same one are the same schema
     */
    public record SubjectVersion(String subject, int version, int id, Schema schema, boolean logged,
                                 long fingerprint) {
        SubjectVersion(String subject, int version, int id, Schema schema, boolean logged) {
            this(subject, version, id, schema, logged, SchemaCatalog.fingerprint(schema));
        }
    }

    private final SchemaSubjects subjects;
    private final Map<String, TreeMap<Integer, SubjectVersion>> logged = new HashMap<>();
    private final Map<Integer, Schema> loggedById = new HashMap<>();
    /** By subject; the null key holds the global level. */
    private final Map<String, CompatibilityLevel> levels = new HashMap<>();

    public SchemaState(SchemaSubjects subjects) {
        this.subjects = subjects;
    }

    public SchemaSubjects subjects() {
        return subjects;
    }

    /** Applies a record of the {@code deltas} log; records of other parts of the registry are not this view's. */
    public synchronized void apply(String key, SpecificRecord record) {
        if (record instanceof RegisteredSchema registered) {
            Schema schema;
            try {
                schema = new Schema.Parser().parse(registered.getAvroSchema());
            } catch (SchemaParseException e) {
                log.error("Skipping {}: its schema does not parse ({})", key, e.getMessage());
                return;
            }
            logged.computeIfAbsent(registered.getSubject(), subject -> new TreeMap<>()).put(registered.getVersion(),
                    new SubjectVersion(registered.getSubject(), registered.getVersion(), registered.getId(), schema,
                            true));
            loggedById.put(registered.getId(), schema);
        } else if (record instanceof SubjectCompatibility compatibility) {
            try {
                levels.put(compatibility.getSubject(), CompatibilityLevel.valueOf(compatibility.getLevel()));
            } catch (IllegalArgumentException e) {
                log.error("Skipping {}: unknown compatibility level '{}'", key, compatibility.getLevel());
            }
        }
    }

    /** A subject's versions, oldest first. */
    public synchronized List<SubjectVersion> versions(Subject subject) {
        List<SubjectVersion> versions = new ArrayList<>(logged.getOrDefault(subject.name(), new TreeMap<>()).values());
        int next = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        for (Schema shipped : subject.shipped()) {
            long fingerprint = SchemaCatalog.fingerprint(shipped);
            if (versions.stream().noneMatch(version -> version.fingerprint() == fingerprint)) {
                versions.add(new SubjectVersion(subject.name(), next++, idOf(shipped), shipped, false));
            }
        }
        return versions;
    }

    /** The subject's version with this schema's binary layout, if it has one. */
    public synchronized Optional<SubjectVersion> find(Subject subject, Schema schema) {
        long fingerprint = SchemaCatalog.fingerprint(schema);
        return versions(subject).stream().filter(version -> version.fingerprint() == fingerprint).findFirst();
    }

    public synchronized Optional<Schema> schema(int id) {
        Schema schema = loggedById.get(id);
        return schema != null ? Optional.of(schema) : ConfluentSchemas.shipped(id);
    }

    /**
     * The id this schema has or would get: the one the log gave it in any subject, else its {@link SchemaIds}
     * unless another schema holds that, else the next free one.
     */
    public synchronized int idOf(Schema schema) {
        long fingerprint = SchemaCatalog.fingerprint(schema);
        for (TreeMap<Integer, SubjectVersion> versions : logged.values()) {
            for (SubjectVersion version : versions.values()) {
                if (version.fingerprint() == fingerprint) {
                    return version.id();
                }
            }
        }
        int id = SchemaIds.of(schema);
        while (loggedById.containsKey(id) && SchemaCatalog.fingerprint(loggedById.get(id)) != fingerprint) {
            id = id == Integer.MAX_VALUE ? 1 : id + 1;
        }
        return id;
    }

    /** The level set for the subject, if any. */
    public synchronized Optional<CompatibilityLevel> level(String subject) {
        return Optional.ofNullable(levels.get(subject));
    }

    /** The global level: set, or Confluent's default. */
    public synchronized CompatibilityLevel globalLevel() {
        return levels.getOrDefault(null, CompatibilityLevel.DEFAULT);
    }

    /** The level new schemas of the subject are checked at. */
    public synchronized CompatibilityLevel effectiveLevel(String subject) {
        return level(subject).orElseGet(this::globalLevel);
    }
}

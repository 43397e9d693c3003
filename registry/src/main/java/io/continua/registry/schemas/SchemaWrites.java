package io.continua.registry.schemas;

import io.continua.registry.RegistryWrites;
import io.continua.registry.log.DeltaLogWriter.Entry;
import io.continua.registry.schemas.SchemaState.SubjectVersion;
import io.continua.registry.schemas.SchemaSubjects.Subject;
import io.continua.schemas.RegisteredSchema;
import io.continua.schemas.SubjectCompatibility;
import io.continua.schemas.confluent.ReadCompatibility;
import io.continua.schemas.kafka.DeltaLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas API's changes, run on the registry's writer thread like every other change: appended to
 * the {@code deltas} log, answered once applied. Versions and ids are allocated from the view, which
 * holds every change before the next one starts.
 */
public final class SchemaWrites {
    private static final Logger log = LoggerFactory.getLogger(SchemaWrites.class);
    /** Who the registry records as registering the schemas a build ships. */
    static final String SHIPPED_BY = "continua";

    private final SchemaState state;

    public SchemaWrites(SchemaState state) {
        this.state = state;
    }

    /**
     * Records the versions this build ships that the log does not hold yet, so that their numbers and ids stay
     * whatever is registered after them.
     */
    public void recordShipped(RegistryWrites writes) {
        List<Entry> entries = new ArrayList<>();
        for (Subject subject : state.subjects().all()) {
            for (SubjectVersion version : state.versions(subject)) {
                if (!version.logged()) {
                    entries.add(entry(version, SHIPPED_BY));
                }
            }
        }
        if (!entries.isEmpty()) {
            writes.appendRecords(entries);
            log.info("Recorded {} schema versions this build ships", entries.size());
        }
    }

    /**
     * Why {@code schema} may not be registered under {@code subject} after its versions up to {@code upTo}
     * (all of them when null): empty if it may. Whatever the level, Continua must be able to read what producers
     * write with it; the subjects of what Continua writes hold only the versions Continua ships.
     */
    public List<String> problems(Subject subject, Schema schema, Integer upTo) {
        if (!subject.producedByClients()) {
            return List.of("Continua writes " + subject.name() + "; its versions are the ones Continua ships");
        }
        List<String> problems = new ArrayList<>();
        ReadCompatibility.problems(subject.current(), schema).forEach(problem -> problems.add("Continua's "
                + subject.current().getFullName() + " cannot read data written with it: " + problem));
        List<Schema> earlier = state.versions(subject).stream()
                .filter(version -> upTo == null || version.version() <= upTo).map(SubjectVersion::schema).toList();
        problems.addAll(state.effectiveLevel(subject.name()).problems(schema, earlier));
        return problems;
    }

    /**
     * The subject's version with this schema: the existing one, or a new one once it passes the subject's checks.
     *
     * @throws SchemaApiException 409 when the schema may not be registered under the subject
     */
    public SubjectVersion register(RegistryWrites writes, Subject subject, Schema schema, String actor) {
        Optional<SubjectVersion> existing = state.find(subject, schema);
        if (existing.isPresent()) {
            return existing.get();
        }
        List<String> problems = problems(subject, schema, null);
        if (!problems.isEmpty()) {
            throw SchemaApiException.incompatible(subject.name(), state.effectiveLevel(subject.name()), problems);
        }
        List<SubjectVersion> versions = state.versions(subject);
        SubjectVersion added = new SubjectVersion(subject.name(), versions.get(versions.size() - 1).version() + 1,
                state.idOf(schema), schema, true);
        List<Entry> entries = new ArrayList<>();
        // The shipped versions keep the numbers they were listed with: recorded before the new one.
        versions.stream().filter(version -> !version.logged()).forEach(version -> entries.add(entry(version,
                SHIPPED_BY)));
        entries.add(entry(added, actor));
        writes.appendRecords(entries);
        log.info("Registered {} version {} (id {}) by {}", subject.name(), added.version(), added.id(), actor);
        return added;
    }

    /** Sets the level of one subject, or the global one for a null subject. */
    public CompatibilityLevel configure(RegistryWrites writes, String subject, CompatibilityLevel level,
                                        String actor) {
        writes.appendRecords(List.of(new Entry(DeltaLog.compatibilityKey(subject),
                new SubjectCompatibility(subject, level.name(), actor, Instant.now()))));
        log.info("Compatibility of {} set to {} by {}", subject == null ? "every subject" : subject, level, actor);
        return level;
    }

    private static Entry entry(SubjectVersion version, String actor) {
        return new Entry(DeltaLog.schemaKey(version.subject(), version.version()), new RegisteredSchema(
                version.subject(), version.version(), version.id(), version.schema().toString(), actor, Instant.now()));
    }
}

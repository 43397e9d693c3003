package io.continua.registry.schemas;

import io.continua.schemas.DomainMetrics;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.Prediction;
import io.continua.schemas.PredictionRequest;
import io.continua.schemas.RejectedRecord;
import io.continua.schemas.confluent.Subjects;
import io.continua.schemas.kafka.Topics;
import io.continua.schemas.serde.SchemaCatalog;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The subjects of the schemas API: one per topic whose records clients produce or consume, named by
 * Confluent's TopicNameStrategy ({@code <topic>-value}). Producers may register their own schemas only
 * under the subjects of what they produce; the others hold what Continua writes.
 */
public final class SchemaSubjects {
    /**
     * @param producedByClients whether clients write this topic (and may register schemas Continua can read) or
     *                          only Continua does
     * @param shipped           the versions of the record this build ships, oldest first
     */
    public record Subject(String name, Class<? extends SpecificRecord> record, boolean producedByClients,
                          List<Schema> shipped) {
        Subject(String name, Class<? extends SpecificRecord> record, boolean producedByClients) {
            this(name, record, producedByClients, SchemaCatalog.history(record));
        }

        /** The schema Continua reads and writes this subject's records with. */
        public Schema current() {
            return SpecificData.get().getSchema(record);
        }
    }

    private final List<Subject> all;

    public SchemaSubjects(Topics topics) {
        this.all = List.of(
                new Subject(Subjects.valueOf(topics.examples()), LabeledExample.class, true),
                new Subject(Subjects.valueOf(topics.predictRequests()), PredictionRequest.class, true),
                new Subject(Subjects.valueOf(topics.examplesAccepted()), LabeledExample.class, false),
                new Subject(Subjects.valueOf(topics.examplesRejected()), RejectedRecord.class, false),
                new Subject(Subjects.valueOf(topics.predictResults()), Prediction.class, false),
                new Subject(Subjects.valueOf(topics.metrics()), DomainMetrics.class, false));
    }

    public List<Subject> all() {
        return all;
    }

    public Optional<Subject> find(String name) {
        return all.stream().filter(subject -> subject.name().equals(name)).findFirst();
    }
}

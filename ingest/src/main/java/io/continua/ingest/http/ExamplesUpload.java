package io.continua.ingest.http;

import io.continua.ingest.validate.ExampleValidator;
import io.continua.ingest.validate.RejectionReason;
import io.continua.ingest.validate.TextNormalizer;
import io.continua.schemas.LabeledExample;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.serde.UndecodableRecordException;
import io.continua.service.JsonFields;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.Schema;

/**
 * The body of {@code POST /v1/domains/{d}/examples}, {@code {"examples": [{text, label, id?, eventTime?,
 * requestId?, domain?, split?}, ...]}}, read into records and held to the rules ingest applies to every record on
 * the {@code examples} topic. All or nothing: one example that breaks a rule refuses the request
 * (422, every refusal named by its index), so a producer never has to find out which half went in.
 * A missing id becomes a random one; a missing event time, now.
 */
public final class ExamplesUpload {
    /** Examples in one request at most: a bigger batch belongs on Kafka. */
    static final int MAX_EXAMPLES = 1_000;
    /**
     * The fields an example may have: the record's (a {@code split} is ignored, as ingest sets it). Any other is
     * refused, as on Kafka, so that a misspelt {@code requestId} or {@code eventTime} is not silently lost.
     */
    private static final List<String> FIELDS = LabeledExample.getClassSchema().getFields().stream()
            .map(Schema.Field::name).toList();

    private final ExampleValidator validator;

    public ExamplesUpload(ExampleValidator validator) {
        this.validator = validator;
    }

    List<LabeledExample> read(String domain, JsonObject body, Instant now) {
        List<JsonFields> items = JsonFields.of(body, "invalid_examples").objects("examples");
        if (items.isEmpty()) {
            throw ServiceException.invalid("missing_examples", "Send {\"examples\": [{\"text\": ..., \"label\": ...}]}");
        }
        if (items.size() > MAX_EXAMPLES) {
            throw new ServiceException(ServiceException.Kind.TOO_LARGE, "too_many_examples", items.size()
                    + " examples in one request; at most " + MAX_EXAMPLES + " (publish bigger batches to Kafka)");
        }
        List<LabeledExample> examples = new ArrayList<>(items.size());
        List<String> refusals = new ArrayList<>();
        for (int index = 0; index < items.size(); index++) {
            JsonFields item = items.get(index);
            Optional<String> unexpected = unexpected(domain, item, index);
            if (unexpected.isPresent()) {
                refusals.add(unexpected.get());
                continue;
            }
            LabeledExample example = LabeledExample.newBuilder()
                    .setId(item.string("id").orElseGet(() -> UUID.randomUUID().toString()))
                    .setDomain(domain)
                    .setText(item.string("text").orElse(""))
                    .setLabel(item.string("label").orElse(""))
                    .setEventTime(eventTime(item, index).orElse(now))
                    .setRequestId(item.string("requestId").orElse(null))
                    .build();
            Optional<ExampleValidator.Rejection> rejection = validator.check(domain, example,
                    TextNormalizer.normalize(example.getText()), now);
            int at = index;
            rejection.ifPresent(refused -> refusals.add("examples[" + at + "]: "
                    + refused.reason().name() + " (" + refused.detail() + ")"));
            examples.add(example);
        }
        if (!refusals.isEmpty()) {
            throw ServiceException.unprocessable("invalid_examples", refusals.size() + " of " + items.size()
                    + " examples break ingest's rules, so none was published: " + String.join("; ", refusals));
        }
        return examples;
    }

    /**
     * Why an example's fields are not an example's, as a dead letter of the same JSON on Kafka would say: a field
     * the record lacks, or another domain than the path's (as a record key naming another domain).
     */
    private static Optional<String> unexpected(String domain, JsonFields item, int index) {
        List<String> unknown = item.names().stream().filter(name -> !FIELDS.contains(name)).sorted().toList();
        if (!unknown.isEmpty()) {
            return Optional.of("examples[" + index + "]: " + RejectionReason.UNDECODABLE.name() + " ("
                    + UndecodableRecordException.Reason.INVALID_JSON.name() + ": Unknown field(s) " + unknown
                    + " for a LabeledExample; its fields are " + FIELDS + ")");
        }
        return item.string("domain").filter(named -> !named.equals(domain)).map(named -> "examples[" + index + "]: "
                + RejectionReason.KEY_DOMAIN_MISMATCH.name() + " (it names '" + named + "', the path '" + domain + "')");
    }

    /** An ISO-8601 instant or epoch milliseconds. */
    private static Optional<Instant> eventTime(JsonFields item, int index) {
        if (!item.has("eventTime")) {
            return Optional.empty();
        }
        Optional<String> text = Optional.empty();
        try {
            text = item.string("eventTime");
        } catch (ServiceException notAString) {
            return item.integer("eventTime", 0L, Long.MAX_VALUE).map(Instant::ofEpochMilli);
        }
        try {
            return text.map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw ServiceException.invalid("invalid_examples", "examples[" + index + "].eventTime '" + text.get()
                    + "' is not an ISO-8601 instant (e.g. 2026-11-27T10:15:30Z) or epoch milliseconds");
        }
    }
}

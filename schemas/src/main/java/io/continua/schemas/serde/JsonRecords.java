package io.continua.schemas.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads (and writes) a record as a plain JSON object with its fields, as tools like kcat or curl send it,
 * held to the record's Avro schema: every field without a default is required, no field the schema
 * lacks is taken, each value must be of its type. Nullable fields may be null or absent; a
 * timestamp may be epoch milliseconds or an ISO-8601 instant ({@code 2026-11-27T05:00:00Z}); an enum
 * is its symbol. A record that does not fit throws {@link UndecodableRecordException} naming the field.
 */
final class JsonRecords {
    /** Strict: a second value after the object, or a field given twice, is refused rather than dropped. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** How much of an offending value an error quotes: dead letters carry the bytes anyway. */
    private static final int QUOTED = 120;
    /** How JSON writers (Jackson among them) spell the doubles JSON numbers cannot. */
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    private JsonRecords() {
    }

    /**
     * @param lenient whether fields the schema lacks are ignored (reading our own output, which a newer
     *                writer may have extended) instead of refused (reading what producers send)
     */
    static <T extends SpecificRecord> T read(Class<T> type, byte[] bytes, boolean lenient) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw invalid("Not valid JSON: " + e.getOriginalMessage(), bytes, e);
        } catch (IOException e) {
            throw invalid("Not valid JSON: " + e.getMessage(), bytes, e);
        }
        if (root == null || !root.isObject()) {
            throw invalid("A JSON " + type.getSimpleName() + " must be an object", bytes, null);
        }
        SpecificData model = SpecificData.getForClass(type);
        @SuppressWarnings("unchecked")
        T record = (T) record(model, model.getSchema(type), root, "", bytes, lenient);
        return record;
    }

    /** One record of {@code schema} from an object: its fields by name, {@code path} naming where it sits. */
    private static SpecificRecord record(SpecificData model, Schema schema, JsonNode node, String path, byte[] bytes,
                                         boolean lenient) {
        if (!node.isObject()) {
            throw invalid("Field '" + path + "' must be an object, got " + quote(node), bytes, null);
        }
        Set<String> known = new HashSet<>();
        schema.getFields().forEach(field -> known.add(field.name()));
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                unknown.add(path + name);
            }
        });
        if (!unknown.isEmpty() && !lenient) {
            throw invalid("Unknown field(s) " + (unknown.size() <= 5 ? unknown : unknown.subList(0, 5) + " and "
                    + (unknown.size() - 5) + " more") + " for a " + schema.getName() + "; its fields are " + known,
                    bytes, null);
        }
        SpecificRecord record = (SpecificRecord) model.newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            if (value == null && field.hasDefaultValue()) {
                record.put(field.pos(), model.deepCopy(field.schema(), model.getDefaultValue(field)));
            } else if (value == null) {
                throw invalid("Missing field '" + path + field.name() + "'", bytes, null);
            } else {
                record.put(field.pos(), value(model, field.schema(), value, path + field.name(), bytes, lenient));
            }
        }
        return record;
    }

    private static Object value(SpecificData model, Schema schema, JsonNode node, String field, byte[] bytes,
                                boolean lenient) {
        switch (schema.getType()) {
            case UNION -> {
                if (node.isNull() && schema.getTypes().stream().anyMatch(type -> type.getType() == Schema.Type.NULL)) {
                    return null;
                }
                Schema branch = schema.getTypes().stream().filter(type -> type.getType() != Schema.Type.NULL)
                        .findFirst().orElseThrow();
                return value(model, branch, node, field, bytes, lenient);
            }
            case STRING -> {
                if (!node.isTextual()) {
                    throw invalid("Field '" + field + "' must be a string, got " + quote(node), bytes, null);
                }
                return node.asText();
            }
            case INT -> {
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw invalid("Field '" + field + "' must be an integer, got " + quote(node), bytes, null);
                }
                return node.asInt();
            }
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return instant(node, field, bytes);
                }
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw invalid("Field '" + field + "' must be an integer, got " + quote(node), bytes, null);
                }
                return node.asLong();
            }
            case DOUBLE -> {
                if (node.isTextual() && NON_FINITE.contains(node.asText())) {
                    return Double.valueOf(node.asText());
                }
                if (!node.isNumber()) {
                    throw invalid("Field '" + field + "' must be a number, got " + quote(node), bytes, null);
                }
                return node.asDouble();
            }
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw invalid("Field '" + field + "' must be true or false, got " + quote(node), bytes, null);
                }
                return node.asBoolean();
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw invalid("Field '" + field + "' must be an array, got " + quote(node), bytes, null);
                }
                List<Object> items = new ArrayList<>();
                for (int index = 0; index < node.size(); index++) {
                    items.add(value(model, schema.getElementType(), node.get(index), field + "[" + index + "]", bytes,
                            lenient));
                }
                return items;
            }
            case RECORD -> {
                return record(model, schema, node, field + ".", bytes, lenient);
            }
            case ENUM -> {
                if (!node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
                    throw invalid("Field '" + field + "' must be one of " + schema.getEnumSymbols() + ", got " + quote(node),
                            bytes, null);
                }
                return model.createEnum(node.asText(), schema);
            }
            default -> throw invalid("Field '" + field + "' has a type JSON input does not take: " + schema.getType(),
                    bytes, null);
        }
    }

    /** {@code record} as a JSON object of its fields: timestamps as ISO-8601 instants, enums as their symbols. */
    static byte[] write(SpecificRecord record) {
        try {
            return JSON.writeValueAsBytes(json(record.getSchema(), record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + record.getSchema().getName() + " as JSON", e);
        }
    }

    private static JsonNode json(Schema schema, Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null) {
            return nodes.nullNode();
        }
        return switch (schema.getType()) {
            case UNION -> json(schema.getTypes().stream().filter(type -> type.getType() != Schema.Type.NULL)
                    .findFirst().orElseThrow(), value);
            case RECORD -> {
                ObjectNode object = nodes.objectNode();
                SpecificRecord record = (SpecificRecord) value;
                schema.getFields().forEach(field -> object.set(field.name(), json(field.schema(), record.get(field.pos()))));
                yield object;
            }
            case ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                ((List<?>) value).forEach(item -> array.add(json(schema.getElementType(), item)));
                yield array;
            }
            case LONG -> value instanceof Instant instant ? nodes.textNode(instant.toString())
                    : nodes.numberNode((Long) value);
            case INT -> nodes.numberNode((Integer) value);
            case DOUBLE -> nodes.numberNode((Double) value);
            case BOOLEAN -> nodes.booleanNode((Boolean) value);
            default -> nodes.textNode(value.toString());
        };
    }

    private static Instant instant(JsonNode node, String field, byte[] bytes) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.asLong());
        }
        if (node.isTextual()) {
            try {
                Instant instant = Instant.parse(node.asText());
                // The record holds epoch milliseconds: a year beyond their range must not reach the validator.
                instant.toEpochMilli();
                return instant;
            } catch (DateTimeParseException | ArithmeticException e) {
                // Falls through to the error below, which says what is taken.
            }
        }
        throw invalid("Field '" + field + "' must be epoch milliseconds or an ISO-8601 instant with a zone such as "
                + "2026-11-27T05:00:00Z, got " + quote(node), bytes, null);
    }

    private static String quote(JsonNode node) {
        String text = node.toString();
        return text.length() <= QUOTED ? text : text.substring(0, QUOTED) + "… (" + text.length() + " characters)";
    }

    private static UndecodableRecordException invalid(String detail, byte[] bytes, Throwable cause) {
        return new UndecodableRecordException(UndecodableRecordException.Reason.INVALID_JSON, detail, bytes, cause);
    }
}

package io.continua.registry;

import io.continua.schemas.Comparison;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.registry.UploadMetadata;
import io.continua.service.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@code metadata} part of an upload into an {@link UploadMetadata}, refusing a malformed one. */
public final class UploadMetadataReader {
    private UploadMetadataReader() {
    }

    /** Parses the {@code metadata} part of an upload; a malformed one is a 400 naming the field. */
    public static UploadMetadata read(String json) {
        if (json == null || json.isBlank()) {
            return UploadMetadata.empty();
        }
        JsonObject object;
        try {
            object = new JsonObject(json);
        } catch (RuntimeException e) {
            throw ServiceException.invalid("bad_metadata", "The metadata part is not a JSON object: " + e.getMessage());
        }
        JsonFields fields = JsonFields.of(object, "bad_metadata");
        List<OffsetRange> ranges = new ArrayList<>();
        for (JsonFields range : fields.objects("trainedOn")) {
            long from = range.required("fromOffset", range.integer("fromOffset", 0, Long.MAX_VALUE));
            long until = range.required("untilOffset", range.integer("untilOffset", from, Long.MAX_VALUE));
            ranges.add(new OffsetRange(range.required("topic", range.string("topic")),
                    range.required("partition", range.integer("partition", 0, Integer.MAX_VALUE)), from, until));
        }
        return new UploadMetadata(fields.string("sha256").orElse(null),
                fields.integer("parentVersion", 1, Integer.MAX_VALUE).orElse(null), ranges,
                metrics(fields.object("metrics")), fields.object("hyperparameters").scalars(),
                fields.integer("trainWallMs", 0, Long.MAX_VALUE).orElse(null),
                fields.has("comparison") ? comparison(fields.object("comparison")) : null);
    }

    private static Map<String, Double> metrics(JsonFields metrics) {
        Map<String, Double> values = new LinkedHashMap<>();
        metrics.names().forEach(name -> values.put(name,
                metrics.required(name, metrics.number(name, -Double.MAX_VALUE, Double.MAX_VALUE))));
        return values;
    }

    /** {@code {version, examples, labelsCovered, metrics}}: the compared version's scores on the same examples. */
    private static Comparison comparison(JsonFields comparison) {
        int examples = comparison.required("examples", comparison.integer("examples", 0, Integer.MAX_VALUE));
        int labels = comparison.required("labelsCovered", comparison.integer("labelsCovered", 0, examples));
        return new Comparison(comparison.required("version", comparison.integer("version", 1, Integer.MAX_VALUE)),
                examples, labels, metrics(comparison.object("metrics")));
    }
}

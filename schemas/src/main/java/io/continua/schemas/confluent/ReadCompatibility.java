package io.continua.schemas.confluent;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** What Avro's resolution rules find wrong when a reader reads data written with a writer schema. */
public final class ReadCompatibility {
    private ReadCompatibility() {
    }

    /** Each incompatibility with where it is ({@code /fields/4/type}); empty when the reader reads the writer's data. */
    public static List<String> problems(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities()
                .stream().map(problem -> problem.getMessage() + " at " + problem.getLocation()).toList();
    }
}

package io.continua.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.schemas.Comparison;
import io.continua.schemas.OffsetRange;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.registry.UploadMetadata;
import io.continua.schemas.serde.AvroSerde;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a client sends as an upload's metadata is what the registry reads; a malformed part is a 400. */
class UploadMetadataReaderTest {
    @BeforeAll
    static void trustRecords() {
        AvroSerde.trustContinuaRecords();
    }

    @Test
    void theTypedMetadataOfAClientIsWhatTheRegistryReads() {
        UploadMetadata sent = new UploadMetadata("ab12", 3,
                List.of(new OffsetRange("continua.examples.accepted", 0, 10L, 90L)),
                Map.of("holdout_accuracy", 0.87), Map.of("learning_rate", "0.001"), 4_000L,
                new Comparison(3, 120, 9, Map.of("holdout_accuracy", 0.85)));

        assertThat(UploadMetadataReader.read(sent.toJson().toString())).isEqualTo(sent);
        assertThat(UploadMetadataReader.read(UploadMetadata.empty().toJson().toString()))
                .isEqualTo(UploadMetadata.empty());
    }

    @Test
    void aMalformedPartNamesItsField() {
        assertThatThrownBy(() -> UploadMetadataReader.read("{\"trainedOn\": [{\"topic\": \"t\", \"partition\": 0, "
                + "\"fromOffset\": 9, \"untilOffset\": 3}]}"))
                .isInstanceOfSatisfying(ServiceException.class, refused -> {
                    assertThat(refused.status()).isEqualTo(400);
                    assertThat(refused.detail()).contains("untilOffset");
                });
    }
}

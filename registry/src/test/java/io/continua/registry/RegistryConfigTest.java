package io.continua.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.schemas.kafka.DeltaLogSignatures;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {
    private final KeyPair keys = DeltaLogSignatures.generate();
    private final RegistryConfig defaults = RegistryConfig.defaults("kafka:9092", Path.of("target", "unused"));

    @Test
    void aWriterThatChecksSignaturesMustSignWhatItWrites() {
        assertThatThrownBy(() -> defaults.withDeltaSignatures(DeltaLogSignatures.verifying(keys.getPublic())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must sign");
        assertThat(defaults.withDeltaSignatures(DeltaLogSignatures.signing(keys)).deltaSignatures().signs()).isTrue();
        assertThat(defaults
                .with(RegistrySettings.READ_ONLY, true)
                .with(RegistrySettings.DIR, Path.of("target", "replica"))
                .withDeltaSignatures(DeltaLogSignatures.verifying(keys.getPublic())).deltaSignatures().verifies())
                .isTrue();
    }
}

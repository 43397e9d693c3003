package io.continua.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeltaLogSignaturesTest {
    private static final String TOPIC = "continua.deltas";
    private static final byte[] VALUE = "pointer".getBytes(StandardCharsets.UTF_8);

    private final KeyPair keys = DeltaLogSignatures.generate();
    private final DeltaLogSignatures writer = DeltaLogSignatures.signing(keys);
    private final DeltaLogSignatures reader = DeltaLogSignatures.verifying(keys.getPublic());

    @Test
    void aRecordSignedByTheWriterVerifiesForEveryReader() {
        RecordHeaders headers = new RecordHeaders();
        writer.sign(TOPIC, "banking@production", VALUE, headers);
        assertThat(reader.distrust(TOPIC, "banking@production", VALUE, headers)).isEmpty();
        assertThat(writer.distrust(TOPIC, "banking@production", VALUE, headers)).isEmpty();
    }

    @Test
    void unsignedRecordsAndSignaturesMovedToOtherRecordsAreDistrusted() {
        assertThat(reader.distrust(TOPIC, "banking@production", VALUE, new RecordHeaders())).contains("unsigned");
        RecordHeaders headers = new RecordHeaders();
        writer.sign(TOPIC, "banking@production", VALUE, headers);
        assertThat(reader.distrust(TOPIC, "banking@evil", VALUE, headers)).contains("bad signature");
        assertThat(reader.distrust("other.deltas", "banking@production", VALUE, headers)).contains("bad signature");
        byte[] changed = VALUE.clone();
        changed[0] ^= 1;
        assertThat(reader.distrust(TOPIC, "banking@production", changed, headers)).contains("bad signature");
        assertThat(reader.distrust(TOPIC, "banking@production", null, headers)).contains("bad signature");
    }

    @Test
    void anotherKeysSignatureIsDistrusted() {
        RecordHeaders headers = new RecordHeaders();
        DeltaLogSignatures.signing(DeltaLogSignatures.generate()).sign(TOPIC, "banking@production", VALUE, headers);
        assertThat(reader.distrust(TOPIC, "banking@production", VALUE, headers)).contains("bad signature");
    }

    @Test
    void withoutAKeyNothingIsSignedOrChecked() {
        RecordHeaders headers = new RecordHeaders();
        DeltaLogSignatures.NONE.sign(TOPIC, "k", VALUE, headers);
        assertThat(headers.toArray()).isEmpty();
        assertThat(DeltaLogSignatures.NONE.distrust(TOPIC, "k", VALUE, headers)).isEmpty();
    }

    @Test
    void keyFilesRoundTripAndThePrivateOneIsTheOwnersAlone(@TempDir Path dir) throws Exception {
        Path signing = dir.resolve("secrets/deltas-signing.pem");
        Path verify = dir.resolve("secrets/deltas-verify.pem");
        DeltaLogSignatures.writeKeyFiles(keys, signing, verify);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(signing))).isEqualTo("rw-------");
        assertThat(Files.readString(verify)).startsWith("-----BEGIN PUBLIC KEY-----").doesNotContain("PRIVATE");

        RecordHeaders headers = new RecordHeaders();
        DeltaLogSignatures.signing(DeltaLogSignatures.readKeyPair(signing)).sign(TOPIC, "k", VALUE, headers);
        assertThat(DeltaLogSignatures.verifying(DeltaLogSignatures.readPublicKey(verify)).distrust(TOPIC, "k", VALUE,
                headers)).isEmpty();
        assertThatThrownBy(() -> DeltaLogSignatures.readKeyPair(verify)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PRIVATE KEY");
    }

    @Test
    void aKeyPairWhoseHalvesDoNotMatchIsRefused() {
        KeyPair mixed = new KeyPair(DeltaLogSignatures.generate().getPublic(), keys.getPrivate());
        assertThatThrownBy(() -> DeltaLogSignatures.signing(mixed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not match");
    }
}

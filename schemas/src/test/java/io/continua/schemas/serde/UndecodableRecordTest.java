package io.continua.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.continua.schemas.LabeledExample;
import io.continua.schemas.SampleRecords;
import io.continua.schemas.serde.UndecodableRecordException.Reason;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UndecodableRecordTest {
    private final AvroSerde<LabeledExample> serde = RecordSerdes.labeledExample();

    @Test
    void randomBytesAreNotSingleObjectEncoding() {
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x42;

        assertRefused(garbage, Reason.NOT_SINGLE_OBJECT);
    }

    @Test
    void aTruncatedBodyIsCorrupt() {
        byte[] good = serde.serialize("t", SampleRecords.labeledExample("1"));

        assertRefused(Arrays.copyOf(good, 14), Reason.CORRUPT);
    }

    @Test
    void anUnknownFingerprintIsNamedAsSuch() {
        byte[] bytes = serde.serialize("t", SampleRecords.labeledExample("1"));
        bytes[5] ^= 0x5A;

        assertRefused(bytes, Reason.UNKNOWN_SCHEMA);
    }

    @Test
    void anEmptyPayloadIsRefused() {
        assertRefused(new byte[0], Reason.EMPTY);
    }

    private void assertRefused(byte[] bytes, Reason reason) {
        UndecodableRecordException e = catchThrowableOfType(UndecodableRecordException.class,
                () -> serde.deserialize("t", bytes));
        assertThat(e).as("deserializing must fail").isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.rawBytes()).isEqualTo(bytes);
        assertThat(e.getMessage()).isNotBlank();
    }
}

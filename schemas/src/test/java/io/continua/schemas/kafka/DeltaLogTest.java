package io.continua.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.RegisteredSchema;
import io.continua.schemas.SubjectCompatibility;
import io.continua.schemas.serde.RecordSerdes;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys are typed: a record is applied only under the key that names it. */
class DeltaLogTest {
    private static final String TOPIC = "continua.deltas";

    @Test
    void everyKeyFormDecodesItsOwnRecord() {
        assertThat(DeltaLog.decode(TOPIC, "banking@production", pointer("banking", "production"))).isPresent();
        assertThat(DeltaLog.decode(TOPIC, DeltaLog.aliasHistoryKey("banking", "production", 42),
                pointer("banking", "production"))).isPresent();
        assertThat(DeltaLog.decode(TOPIC, "banking#config", config("banking"))).isPresent();
        assertThat(DeltaLog.decode(TOPIC, "banking/3", null)).as("a tombstone").isEmpty();
        assertThat(DeltaLog.decode(TOPIC, DeltaLog.schemaKey("continua.examples-value", 2),
                schema("continua.examples-value", 2))).isPresent();
        assertThat(DeltaLog.decode(TOPIC, "_schemas#config", level(null))).isPresent();
        assertThat(DeltaLog.decode(TOPIC, DeltaLog.compatibilityKey("continua.examples-value"),
                level("continua.examples-value"))).isPresent();
        assertThat(DeltaLog.isAliasHistory(DeltaLog.compatibilityKey("a@b"))).isFalse();
    }

    @Test
    void schemaKeysTakeOnlyTheirOwnRecords() {
        for (String key : new String[] {"_schemas", "_schemas/continua.examples-value", "_schemas/s/1#config",
                "_schemas/s/0", "_schemas/s/x"}) {
            assertThatThrownBy(() -> DeltaLog.decode(TOPIC, key, schema("s", 1))).as(key)
                    .isInstanceOf(DeltaLog.Unreadable.class)
                    .satisfies(e -> assertThat(((DeltaLog.Unreadable) e).reason()).isEqualTo(DeltaLog.BAD_KEY));
        }
        assertThat(reason("_schemas/other-value/2", schema("continua.examples-value", 2)))
                .isEqualTo(DeltaLog.KEY_MISMATCH);
        assertThat(reason("_schemas#config", level("s"))).isEqualTo(DeltaLog.KEY_MISMATCH);
        assertThat(reason("_schemas/s#config", schema("s", 1))).isEqualTo(DeadLetters.UNDECODABLE);
    }

    @Test
    void malformedKeysAreUnreadable() {
        for (String key : new String[] {"banking@production#abc", "banking@production#42", "Banking/1", "banking/0",
                "banking", "banking/1/2", "", "banking@", "banking#conf"}) {
            assertThatThrownBy(() -> DeltaLog.decode(TOPIC, key, pointer("banking", "production"))).as(key)
                    .isInstanceOf(DeltaLog.Unreadable.class)
                    .satisfies(e -> assertThat(((DeltaLog.Unreadable) e).reason()).isEqualTo(DeltaLog.BAD_KEY));
        }
        assertThatThrownBy(() -> DeltaLog.decode(TOPIC, null, null)).isInstanceOf(DeltaLog.Unreadable.class);
    }

    @Test
    void aRecordUnderAnotherRecordsKeyIsUnreadable() {
        assertThat(reason("banking@staging", pointer("banking", "production"))).isEqualTo(DeltaLog.KEY_MISMATCH);
        assertThat(reason("other@production", pointer("banking", "production"))).isEqualTo(DeltaLog.KEY_MISMATCH);
        assertThat(reason("other#config", config("banking"))).isEqualTo(DeltaLog.KEY_MISMATCH);
        assertThat(reason("banking/1", new byte[] {1, 2, 3})).isEqualTo(DeadLetters.UNDECODABLE);
    }

    private static String reason(String key, byte[] value) {
        try {
            DeltaLog.decode(TOPIC, key, value);
            throw new AssertionError(key + " was read");
        } catch (DeltaLog.Unreadable e) {
            return e.reason();
        }
    }

    private static byte[] schema(String subject, int version) {
        return RecordSerdes.of(RegisteredSchema.class).serialize(TOPIC, new RegisteredSchema(subject, version, 42,
                "\"string\"", "test", Instant.now()));
    }

    private static byte[] level(String subject) {
        return RecordSerdes.of(SubjectCompatibility.class).serialize(TOPIC, new SubjectCompatibility(subject, "FULL",
                "test", Instant.now()));
    }

    private static byte[] pointer(String domain, String alias) {
        return RecordSerdes.aliasPointer().serialize(TOPIC, AliasPointer.newBuilder().setDomain(domain).setAlias(alias)
                .setVersion(1).setReason("test").setActor("test").setMovedAt(Instant.now()).build());
    }

    private static byte[] config(String domain) {
        return RecordSerdes.domainConfig().serialize(TOPIC, DomainConfig.newBuilder().setDomain(domain).setKind("lora")
                .setHyperparameters(Map.of()).setPromotionPolicy("auto").setUpdatedBy("test")
                .setUpdatedAt(Instant.now()).build());
    }
}

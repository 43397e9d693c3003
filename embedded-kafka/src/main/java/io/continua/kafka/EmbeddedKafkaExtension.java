package io.continua.kafka;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests a running {@link EmbeddedKafka}. One broker is shared by all
 * test classes of a test run (starting one costs seconds), so tests should use their own topic
 * names. The broker's data lives under the {@code continua.test.dir} system property (default
 * {@code target/test-data}) and it stops when the test run ends.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedKafkaExtension.class)
 * class MyTest {
 *     @Test void works(EmbeddedKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    private static EmbeddedKafka broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", key -> startBroker(), EmbeddedKafka.class);
    }

    private static EmbeddedKafka startBroker() {
        EmbeddedKafka kafka = EmbeddedKafka.builder(testDataDir().resolve("kafka-" + UUID.randomUUID())).build();
        kafka.start();
        return kafka;
    }

    /** Where tests keep their state: never $HOME or the system temp folder. */
    public static Path testDataDir() {
        return Path.of(System.getProperty("continua.test.dir", "target/test-data"));
    }
}

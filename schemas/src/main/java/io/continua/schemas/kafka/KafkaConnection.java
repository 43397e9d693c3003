package io.continua.schemas.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How a service reaches the Kafka cluster: the bootstrap servers and the client settings every one
 * of its producers, consumers and admin clients shares (security protocol, SASL mechanism and
 * credentials, TLS stores). Each service has its own, so on a secured cluster each authenticates
 * as its own principal.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> clientProperties) {
    private static final Pattern SECRET = Pattern.compile("password|jaas|secret|key|credential|token");

    public KafkaConnection {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are required");
        }
        clientProperties = Map.copyOf(clientProperties);
        if (clientProperties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("Name the bootstrap servers once, not also in the client properties");
        }
    }

    /** A cluster reached without authentication (the embedded default). */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * A cluster reached with the client settings of a properties file (as Kafka's own tools take
     * with {@code --command-config}); a {@code bootstrap.servers} in the file is used when none is given.
     */
    public static KafkaConnection fromFile(String bootstrapServers, Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Kafka client settings from " + file, e);
        }
        Map<String, String> settings = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name, properties.getProperty(name).trim()));
        String inFile = settings.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        String bootstrap = bootstrapServers == null ? inFile : bootstrapServers;
        if (bootstrap == null) {
            throw new IllegalArgumentException("Name the Kafka bootstrap servers: " + file + " has no bootstrap.servers");
        }
        return new KafkaConnection(bootstrap, settings);
    }

    /** The settings of one client: the shared ones, then that client's own (which win). */
    public Map<String, Object> client(Map<String, ?> own) {
        Map<String, Object> settings = new HashMap<>(clientProperties);
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.putAll(own);
        return settings;
    }

    /** The shared settings as {@link Properties}, for APIs that take them (Kafka Streams). */
    public Properties properties() {
        Properties properties = new Properties();
        properties.putAll(client(Map.of()));
        return properties;
    }

    /** Whether the clients authenticate (a SASL or SSL security protocol). */
    public boolean secured() {
        return !clientProperties.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                .equalsIgnoreCase("PLAINTEXT");
    }

    /** Never prints credentials: anything that may be one (passwords, JAAS, keys, secrets) is hidden. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        clientProperties.forEach((name, value) -> shown.put(name,
                SECRET.matcher(name).find() ? "[hidden]" : value));
        return bootstrapServers + (shown.isEmpty() ? "" : " " + shown);
    }
}

package io.continua.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft combined mode (broker and controller in one process),
 * started in this JVM. Its data lives under the directory the caller gives; starting again on the
 * same directory finds the same topics, records and committed offsets.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** Remembers the ports of the first start so a restart on the same data has the same address. */
    private static final String PORTS_FILE = "ports.properties";
    private static final String HOST = "127.0.0.1";

    private final Path dataDir;
    private final int requestedPort;
    private final int requestedControllerPort;
    private KafkaRaftServer server;
    private String bootstrapServers;

    private EmbeddedKafka(Builder builder) {
        this.dataDir = builder.dataDir.toAbsolutePath();
        this.requestedPort = builder.port;
        this.requestedControllerPort = builder.controllerPort;
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Formats the storage on first use, starts the broker and returns its bootstrap address. */
    public synchronized String start() {
        if (server != null) {
            return bootstrapServers;
        }
        try {
            Files.createDirectories(dataDir);
            Properties ports = choosePorts();
            int port = Integer.parseInt(ports.getProperty("port"));
            int controllerPort = Integer.parseInt(ports.getProperty("controller.port"));
            Properties props = brokerProperties(port, controllerPort);
            formatIfNeeded(props);
            long started = System.nanoTime();
            KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            raftServer.startup();
            server = raftServer;
            bootstrapServers = HOST + ":" + port;
            log.info("Kafka broker listening on {} (data in {}, started in {} ms)",
                    bootstrapServers, dataDir, (System.nanoTime() - started) / 1_000_000);
            return bootstrapServers;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Kafka data directory " + dataDir, e);
        }
    }

    /** The bootstrap address, once started. */
    public synchronized String bootstrapServers() {
        if (server == null) {
            throw new IllegalStateException("The embedded Kafka broker is not running");
        }
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    public void createTopic(String name, int partitions) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1)));
    }

    public void createCompactedTopic(String name, int partitions) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
    }

    /** Stops the broker; calling it again, or on a broker never started, does nothing. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        stopping.shutdown();
        stopping.awaitShutdown();
        log.info("Kafka broker on {} stopped", bootstrapServers);
    }

    private Properties choosePorts() throws IOException {
        Path file = dataDir.resolve(PORTS_FILE);
        Properties ports = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                ports.load(in);
            }
        }
        if (requestedPort > 0) {
            ports.setProperty("port", Integer.toString(requestedPort));
        }
        if (requestedControllerPort > 0) {
            ports.setProperty("controller.port", Integer.toString(requestedControllerPort));
        }
        if (!ports.containsKey("port")) {
            ports.setProperty("port", Integer.toString(freePort()));
        }
        if (!ports.containsKey("controller.port")) {
            ports.setProperty("controller.port", Integer.toString(freePort()));
        }
        try (Writer out = Files.newBufferedWriter(file)) {
            ports.store(out, "Ports of the embedded Kafka broker using this directory");
        }
        return ports;
    }

    private Properties brokerProperties(int port, int controllerPort) {
        Properties props = new Properties();
        String listeners = "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort;
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("listeners", listeners);
        props.put("advertised.listeners", listeners);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        props.put("log.dirs", dataDir.resolve("log").toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MB cleaner buffer is sized for production brokers, not one in a laptop JVM.
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return props;
    }

    private void formatIfNeeded(Properties props) throws IOException {
        if (Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
            return;
        }
        Path propsFile = dataDir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(propsFile)) {
            props.store(out, "Embedded Kafka broker");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String clusterId = Uuid.randomUuid().toString();
        int status;
        try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", propsFile.toString(), "--standalone"}, printer);
        }
        if (status != 0) {
            throw new IllegalStateException("Formatting Kafka storage in " + dataDir + " failed: "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
        log.info("Formatted Kafka storage in {} (cluster {})", dataDir, clusterId);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
    }

    public static final class Builder {
        private final Path dataDir;
        private int port;
        private int controllerPort;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** The client port; 0 (the default) picks a free one on first start and keeps it. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The controller port; 0 (the default) picks a free one on first start and keeps it. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }
    }

}

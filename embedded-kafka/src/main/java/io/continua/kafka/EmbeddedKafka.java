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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
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
 *
 * <p>Secure mode (chosen when the directory is first used, and kept): clients authenticate with
 * SASL SCRAM-SHA-512, the controller listener with SASL PLAIN, and the standard authorizer denies
 * whatever no ACL allows. The broker and an {@code admin} super user get generated passwords, kept
 * in {@code security.properties} (readable by its owner only); other principals are created through
 * the admin's client and given ACLs by whoever runs the broker.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** Remembers the ports of the first start so a restart on the same data has the same address. */
    private static final String PORTS_FILE = "ports.properties";
    private static final String HOST = "127.0.0.1";
    /** The passwords of a secure broker: its existence makes the directory a secure one. */
    private static final String SECURITY_FILE = "security.properties";
    public static final String MECHANISM = "SCRAM-SHA-512";
    public static final String ADMIN_USER = "admin";
    private static final String BROKER_USER = "broker";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final int requestedPort;
    private final int requestedControllerPort;
    private final boolean requestedSecure;
    private final Quorum quorum;
    private Properties security;
    private KafkaRaftServer server;
    private String bootstrapServers;

    private EmbeddedKafka(Builder builder) {
        this.dataDir = builder.dataDir.toAbsolutePath();
        this.requestedPort = builder.port;
        this.requestedControllerPort = builder.controllerPort;
        this.requestedSecure = builder.secure;
        this.quorum = builder.quorum;
        if (quorum != null && requestedSecure) {
            throw new IllegalArgumentException("A secure broker runs alone; a node of a cluster runs without security");
        }
    }

    /**
     * This node's place in a cluster of several: its id, every controller as {@code id@host:port}
     * (static voters; every node here is broker and controller), and the cluster's id, the same on
     * every node. Internal topics then get replication factor 3 (fewer if there are fewer nodes)
     * and {@code min.insync.replicas} 2.
     */
    public record Quorum(int nodeId, String voters, String clusterId) {
        public Quorum {
            if (controllerPort(voters, nodeId) <= 0) {
                throw new IllegalArgumentException("Node " + nodeId + " is not among the voters " + voters);
            }
        }

        int size() {
            return voters.split(",").length;
        }

        private static int controllerPort(String voters, int nodeId) {
            for (String voter : voters.split(",")) {
                String[] idAndAddress = voter.trim().split("@");
                if (idAndAddress.length == 2 && idAndAddress[0].equals(Integer.toString(nodeId))) {
                    return Integer.parseInt(idAndAddress[1].substring(idAndAddress[1].lastIndexOf(':') + 1));
                }
            }
            return -1;
        }
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
            security = chooseSecurity();
            Properties props = brokerProperties(port, controllerPort);
            formatIfNeeded(props);
            long started = System.nanoTime();
            KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            raftServer.startup();
            server = raftServer;
            bootstrapServers = HOST + ":" + port;
            log.info("Kafka broker listening on {} ({}; data in {}, started in {} ms)", bootstrapServers,
                    secure() ? "SASL " + MECHANISM + " and ACLs" : "no authentication", dataDir,
                    (System.nanoTime() - started) / 1_000_000);
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

    /** Whether clients must authenticate and are held to ACLs (known once started). */
    public synchronized boolean secure() {
        return security != null;
    }

    /** The client settings of the admin super user (none on a broker that is not secure). */
    public synchronized Map<String, String> adminClientSettings() {
        return secure() ? clientSettings(ADMIN_USER, security.getProperty(ADMIN_USER)) : Map.of();
    }

    /** The client settings that authenticate as {@code user} with SCRAM over this broker's listener. */
    public static Map<String, String> clientSettings(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password, ""));
    }

    /** An admin client of the admin super user (or unauthenticated on a broker that is not secure). */
    public Admin admin() {
        Map<String, Object> settings = new HashMap<>(adminClientSettings());
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(settings);
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
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
        if (quorum != null) {
            ports.setProperty("controller.port", Integer.toString(Quorum.controllerPort(quorum.voters(),
                    quorum.nodeId())));
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

    /** The passwords of a secure directory (created on first secure use), or null for one that is not secure. */
    private Properties chooseSecurity() throws IOException {
        Path file = dataDir.resolve(SECURITY_FILE);
        Properties passwords = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                passwords.load(in);
            }
            return passwords;
        }
        if (!requestedSecure) {
            return null;
        }
        if (Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
            throw new IllegalStateException("The Kafka data in " + dataDir + " was created without security; "
                    + "a secure broker needs a new data directory");
        }
        passwords.setProperty(BROKER_USER, randomPassword());
        passwords.setProperty(ADMIN_USER, randomPassword());
        storeOwnerOnly(file, passwords, "Passwords of the embedded Kafka broker's own users");
        return passwords;
    }

    private Properties brokerProperties(int port, int controllerPort) {
        Properties props = new Properties();
        if (security != null) {
            String password = security.getProperty(BROKER_USER);
            String listeners = "CLIENT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort;
            props.put("listeners", listeners);
            props.put("advertised.listeners", listeners);
            props.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
            props.put("inter.broker.listener.name", "CLIENT");
            props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
            props.put("listener.name.client.sasl.enabled.mechanisms", MECHANISM);
            props.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                    jaas("org.apache.kafka.common.security.scram.ScramLoginModule", BROKER_USER, password, ""));
            // SCRAM credentials live in the metadata the controller serves, so the controller itself uses PLAIN.
            props.put("sasl.mechanism.controller.protocol", "PLAIN");
            props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name.controller.plain.sasl.jaas.config",
                    jaas("org.apache.kafka.common.security.plain.PlainLoginModule", BROKER_USER, password,
                            " user_" + BROKER_USER + "=\"" + password + "\""));
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.put("super.users", "User:" + BROKER_USER + ";User:" + ADMIN_USER);
            props.put("allow.everyone.if.no.acl.found", "false");
            return withCommonProperties(props, controllerPort);
        }
        String listeners = "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort;
        props.put("listeners", listeners);
        props.put("advertised.listeners", listeners);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        return withCommonProperties(props, controllerPort);
    }

    private Properties withCommonProperties(Properties props, int controllerPort) {
        props.put("process.roles", "broker,controller");
        props.put("controller.listener.names", "CONTROLLER");
        String replication = quorum == null ? "1" : Integer.toString(Math.min(3, quorum.size()));
        String minInSync = quorum == null || quorum.size() < 3 ? "1" : "2";
        if (quorum == null) {
            props.put("node.id", "1");
            props.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        } else {
            props.put("node.id", Integer.toString(quorum.nodeId()));
            props.put("controller.quorum.voters", quorum.voters());
            props.put("default.replication.factor", replication);
            props.put("min.insync.replicas", minInSync);
        }
        props.put("log.dirs", dataDir.resolve("log").toString());
        props.put("offsets.topic.replication.factor", replication);
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", replication);
        props.put("transaction.state.log.min.isr", minInSync);
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", replication);
        props.put("share.coordinator.state.topic.min.isr", minInSync);
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
        // It holds the broker's password when secure.
        storeOwnerOnly(propsFile, props, "Embedded Kafka broker");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String clusterId = quorum == null ? Uuid.randomUuid().toString() : quorum.clusterId();
        int status;
        try (PrintStream printer = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", propsFile.toString()));
            if (quorum == null) {
                args.add("--standalone");
            }
            if (security != null) {
                // The broker's and the admin's SCRAM credentials must exist before the broker can start.
                for (String user : List.of(BROKER_USER, ADMIN_USER)) {
                    args.addAll(List.of("--add-scram",
                            MECHANISM + "=[name=" + user + ",password=" + security.getProperty(user) + "]"));
                }
            }
            status = StorageTool.execute(args.toArray(String[]::new), printer);
        }
        if (status != 0) {
            throw new IllegalStateException("Formatting Kafka storage in " + dataDir + " failed: "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
        log.info("Formatted Kafka storage in {} (cluster {})", dataDir, clusterId);
    }

    /** Replaces the file with the properties, readable by its owner only from its creation on. */
    private static void storeOwnerOnly(Path file, Properties properties, String comment) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, comment);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String jaas(String module, String user, String password, String extra) {
        return module + " required username=\"" + user + "\" password=\"" + password + "\"" + extra + ";";
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
        private boolean secure;
        private Quorum quorum;

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

        /**
         * Whether a new data directory becomes a secure broker (SASL SCRAM and ACLs); a directory
         * keeps the mode it was created with, and one created without security cannot become secure.
         */
        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        /** Makes this broker one node of a cluster (see {@link Quorum}); alone by default. */
        public Builder quorum(Quorum quorum) {
            this.quorum = quorum;
            return this;
        }

        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }
    }

}

package io.continua.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continua.schemas.registry.RegistryClient;
import io.continua.service.settings.SettingDefs;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code continua admin ...}: the registry's operations from a terminal. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Operate the registry: list domains and versions, promote, roll back, hold, release, configure.",
        subcommands = {AdminCommand.Domains.class, AdminCommand.Versions.class, AdminCommand.Promote.class,
            AdminCommand.Rollback.class, AdminCommand.Hold.class, AdminCommand.Release.class, AdminCommand.Config.class})
final class AdminCommand implements DeclaresSettings {
    @Spec
    private CommandSpec spec;

    @Override
    public SettingDefs settingDefs() {
        return RegistryOptions.DEFS;
    }

    /** Settings are options of {@code admin} itself: they go before the operation's name. */
    RegistryClient client() {
        return RegistryOptions.client(SettingOptions.resolve(spec, RegistryOptions.DEFS, System.getenv()));
    }

    @Command(name = "domains", description = "List domains with their latest version and aliases.")
    static final class Domains implements Callable<Integer> {
        @ParentCommand
        private AdminCommand admin;

        @Override
        public Integer call() {
            for (JsonNode domain : admin.client().domains().path("domains")) {
                System.out.printf("%-24s versions %-4d latest %-5s aliases %s%n", domain.path("domain").asText(),
                        domain.path("versions").asInt(), domain.path("latestVersion").asText("-"),
                        domain.path("aliases"));
            }
            return 0;
        }
    }

    @Command(name = "versions", description = "List a domain's versions with their metrics and aliases.")
    static final class Versions implements Callable<Integer> {
        @ParentCommand
        private AdminCommand admin;

        @Option(names = "--domain", required = true)
        private String domain;

        @Override
        public Integer call() {
            for (JsonNode version : admin.client().allVersions(domain)) {
                System.out.printf("v%-4d %-8s %-25s holdout %-6s parent %-5s %s%s%n",
                        version.path("version").asInt(), version.path("kind").asText(),
                        version.path("createdAt").asText(),
                        String.format("%.3f", version.path("metrics").path("holdout_accuracy").asDouble(Double.NaN)),
                        version.path("parentVersion").asText("-"), version.path("aliases"),
                        version.path("deleted").asBoolean() ? " deleted" : "");
            }
            return 0;
        }
    }

    /** A move of one alias: where to, given where it points now, and whether it also holds or releases it. */
    abstract static class AliasMove implements Callable<Integer> {
        @ParentCommand
        private AdminCommand admin;

        @Option(names = "--domain", required = true)
        private String domain;

        @Option(names = "--alias", defaultValue = "production")
        private String alias;

        @Option(names = "--reason", description = "Why, for the alias history.")
        private String reason;

        abstract String defaultReason();

        /** The version to move to; {@code current} is the alias's pointer (a missing node if it has none). */
        abstract int target(String name, JsonNode current);

        /** Whether the move also holds or releases the alias; empty leaves that as it was. */
        abstract Optional<Boolean> hold();

        /** Why nothing needs doing, if so. */
        Optional<String> nothingToDo(String name, JsonNode current) {
            return Optional.empty();
        }

        @Override
        public Integer call() {
            RegistryClient client = admin.client();
            JsonNode current = client.aliases(domain).path("aliases").path(alias);
            String name = domain + "@" + alias;
            Optional<String> nothing = nothingToDo(name, current);
            if (nothing.isPresent()) {
                System.out.println(nothing.get());
                return 0;
            }
            printMove(domain, alias, client.moveAlias(domain, alias, target(name, current),
                    reason == null ? defaultReason() : reason, hold()));
            return 0;
        }

        /** The alias's current pointer, which a move from where it points needs. */
        static JsonNode pointing(String name, JsonNode current) {
            if (current.isMissingNode() || current.path("version").isNull()) {
                throw new IllegalArgumentException(name + " points at no version");
            }
            return current;
        }
    }

    @Command(name = "promote", description = "Point an alias (production by default) at a version.")
    static class Promote extends AliasMove {
        @Option(names = "--version", required = true)
        private int version;

        @Override
        String defaultReason() {
            return "promoted from the command line";
        }

        @Override
        int target(String name, JsonNode current) {
            return version;
        }

        @Override
        Optional<Boolean> hold() {
            return Optional.empty();
        }
    }

    @Command(name = "rollback", description = "Move an alias back to the version it pointed at before.")
    static final class Rollback extends AliasMove {
        @Option(names = "--hold", description = "Also hold the alias there: auto promotion stops and the trainer "
                + "continues from that version until `admin release`.")
        private boolean hold;

        @Override
        String defaultReason() {
            return "rolled back from the command line";
        }

        @Override
        int target(String name, JsonNode current) {
            if (pointing(name, current).path("previousVersion").isNull()) {
                throw new IllegalArgumentException(name + " has no earlier version to go back to");
            }
            return current.path("previousVersion").asInt();
        }

        @Override
        Optional<Boolean> hold() {
            return hold ? Optional.of(true) : Optional.empty();
        }
    }

    @Command(name = "hold", description = {"Point production (or --alias) at a version and hold it there: auto "
            + "promotion stops for the domain until `admin release`, and the trainer continues from that version's "
            + "delta (retrain from here), not from the versions after it."})
    static final class Hold extends Promote {
        @Override
        Optional<Boolean> hold() {
            return Optional.of(true);
        }

        @Override
        String defaultReason() {
            return "held from the command line";
        }
    }

    @Command(name = "release", description = "Release a held alias where it points: auto promotion resumes.")
    static final class Release extends AliasMove {
        @Override
        String defaultReason() {
            return "released from the command line";
        }

        @Override
        Optional<String> nothingToDo(String name, JsonNode current) {
            return pointing(name, current).path("held").asBoolean() ? Optional.empty()
                    : Optional.of(name + " is not held (version " + current.path("version").asInt() + ")");
        }

        @Override
        int target(String name, JsonNode current) {
            return current.path("version").asInt();
        }

        @Override
        Optional<Boolean> hold() {
            return Optional.of(false);
        }
    }

    private static void printMove(String domain, String alias, JsonNode moved) {
        System.out.printf("%s@%s: %s -> %d%s%n", domain, alias, moved.path("previousVersion").asText("none"),
                moved.path("version").asInt(), moved.path("held").asBoolean() ? " (held)" : "");
    }

    @Command(name = "config", description = "Show or set a domain's delta kind, hyperparameters and promotion policy.")
    static final class Config implements Callable<Integer> {
        @ParentCommand
        private AdminCommand admin;

        @Option(names = "--domain", required = true)
        private String domain;

        @Option(names = "--kind", description = "lora, adapter, ia3, loreft or head.")
        private String kind;

        @Option(names = "--set", description = "A hyperparameter, e.g. --set r=16 --set learning_rate=0.003.")
        private Map<String, String> hyperparameters;

        @Option(names = "--promotion", description = "auto or manual.")
        private String promotion;

        @Option(names = "--margin", description = "Auto promotion margin on the holdout metric.")
        private Double margin;

        @Option(names = "--metric", description = "What auto promotion compares: holdout_accuracy (default), "
                + "holdout_macro_f1 or holdout_loss.")
        private String metric;

        @Option(names = "--min-examples", description = "Auto promotion needs paired evidence on at least this many "
                + "holdout examples (default 30).")
        private Integer minExamples;

        @Option(names = "--min-label-coverage", description = "...covering at least this share of the candidate's "
                + "labels (default 0.5).")
        private Double minLabelCoverage;

        @Override
        public Integer call() {
            RegistryClient client = admin.client();
            if (kind == null && hyperparameters == null && promotion == null && margin == null && metric == null
                    && minExamples == null && minLabelCoverage == null) {
                System.out.println(client.domain(domain).map(JsonNode::toPrettyString)
                        .orElse("No domain '" + domain + "'"));
                return 0;
            }
            ObjectNode config = RegistryClient.object().put("kind", kind == null ? "lora" : kind);
            ObjectNode values = config.putObject("hyperparameters");
            if (hyperparameters != null) {
                hyperparameters.forEach(values::put);
            }
            ObjectNode policy = config.putObject("promotion").put("policy", promotion == null ? "auto" : promotion);
            if (margin != null) {
                policy.put("margin", margin);
            }
            if (metric != null) {
                policy.put("metric", metric);
            }
            if (minExamples != null) {
                policy.put("minExamples", minExamples);
            }
            if (minLabelCoverage != null) {
                policy.put("minLabelCoverage", minLabelCoverage);
            }
            System.out.println(client.configure(domain, config).toPrettyString());
            return 0;
        }
    }
}

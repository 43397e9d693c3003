package io.continua.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code continua} command. Every option also reads an environment variable, named in its help. */
@Command(name = "continua",
        mixinStandardHelpOptions = true,
        version = "continua 0.1.0",
        description = "Continual adaptation of text classifiers from a Kafka stream.",
        subcommands = {DemoCommand.class, UpCommand.class, KafkaCommand.class, TopicsCommand.class,
            PrincipalsCommand.class, RegistryCommand.class, IngestCommand.class, TrainerCommand.class,
            ServingCommand.class, PublishCommand.class, PredictCommand.class, EvalCommand.class, AdminCommand.class, CommandLine.HelpCommand.class})
public final class Continua implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Continua());
        ServiceLoader.load(CommandExtension.class).forEach(extension -> commandLine.addSubcommand(extension.command()));
        addSettingOptions(commandLine);
        // Help wraps at the terminal's width where there is one (80 columns elsewhere): the descriptions are long.
        commandLine.setUsageHelpAutoWidth(true);
        return commandLine.setExecutionExceptionHandler(new UserErrorHandler());
    }

    /** Every command that declares settings gets their flags before anything is parsed. */
    private static void addSettingOptions(CommandLine command) {
        if (command.getCommand() instanceof DeclaresSettings declares) {
            SettingOptions.addTo(command.getCommandSpec(), declares.settingDefs());
        }
        command.getSubcommands().values().forEach(Continua::addSettingOptions);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

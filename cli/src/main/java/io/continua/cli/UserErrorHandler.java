package io.continua.cli;

import io.continua.service.settings.InvalidSettingException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints an expected failure (port in use, unreadable file...) as one line instead of a stack trace. */
final class UserErrorHandler implements IExecutionExceptionHandler {
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        commandLine.getErr().println("continua " + commandLine.getCommandName() + ": " + describe(e));
        if (e instanceof InvalidSettingException) {
            commandLine.getErr().println("See 'continua " + commandLine.getCommandName() + " --help'.");
            return commandLine.getCommandSpec().exitCodeOnInvalidInput();
        }
        return FAILED;
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }
}

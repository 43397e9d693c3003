package io.continua.cli;

import io.continua.service.settings.SettingValues;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command whose options are (at least partly) declared settings: {@link Continua} adds their flags, and
 * {@link #call()} hands the checked values to {@link #run}.
 */
abstract class SettingsCommand implements Callable<Integer>, DeclaresSettings {
    @Spec
    private CommandSpec spec;

    abstract int run(SettingValues settings) throws Exception;

    @Override
    public final Integer call() throws Exception {
        return run(SettingOptions.resolve(spec, settingDefs(), System.getenv()));
    }
}

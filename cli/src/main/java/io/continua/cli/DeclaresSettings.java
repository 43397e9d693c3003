package io.continua.cli;

import io.continua.service.settings.SettingDefs;

/** A command whose options include declared settings; {@link Continua} adds their flags before parsing. */
interface DeclaresSettings {
    /** The same definitions every time: flags are added once, up front. */
    SettingDefs settingDefs();
}

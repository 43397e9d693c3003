package io.continua.cli;

import io.continua.service.settings.SettingDefs;
import io.continua.service.settings.SharedSettings;
import java.util.List;

/** What the commands that reach a cluster without running a service take: where it is and how topics are named. */
final class ClusterSettings {
    static final SettingDefs DEFS = SettingDefs.of("cluster", List.of(SharedSettings.BOOTSTRAP,
            SharedSettings.KAFKA_CONFIG, SharedSettings.TOPIC_PREFIX, SharedSettings.DATA_DIR));

    private ClusterSettings() {
    }
}

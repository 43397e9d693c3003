package io.continua.registry.state;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What the registry knows of one domain: its config, versions, aliases and every alias move. */
final class DomainState {
    private DomainConfig config;
    private final TreeMap<Integer, DeltaVersion> versions = new TreeMap<>();
    private final TreeMap<String, AliasPointer> aliases = new TreeMap<>();
    private final Map<String, TreeMap<Long, AliasPointer>> history = new TreeMap<>();

    void config(DomainConfig newConfig) {
        config = newConfig;
    }

    void version(DeltaVersion version) {
        versions.put(version.getVersion(), version);
    }

    void alias(AliasPointer pointer) {
        if (pointer.getVersion() == null) {
            aliases.remove(pointer.getAlias());
        } else {
            aliases.put(pointer.getAlias(), pointer);
        }
    }

    void move(long sequence, AliasPointer pointer) {
        history.computeIfAbsent(pointer.getAlias(), alias -> new TreeMap<>()).put(sequence, pointer);
    }

    Optional<DomainConfig> config() {
        return Optional.ofNullable(config);
    }

    Map<Integer, DeltaVersion> versions() {
        return versions;
    }

    Map<String, AliasPointer> aliases() {
        return aliases;
    }

    List<AliasPointer> history(String alias) {
        return new ArrayList<>(history.getOrDefault(alias, new TreeMap<>()).values());
    }

    long moves(String alias) {
        TreeMap<Long, AliasPointer> moves = history.get(alias);
        return moves == null || moves.isEmpty() ? 0 : moves.lastKey();
    }

    int lastVersion() {
        return versions.isEmpty() ? 0 : versions.lastKey();
    }
}

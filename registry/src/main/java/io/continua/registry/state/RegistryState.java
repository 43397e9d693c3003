package io.continua.registry.state;

import io.continua.schemas.AliasPointer;
import io.continua.schemas.DeltaVersion;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.kafka.DeltaLog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/**
 * The registry's in-memory view, rebuilt by replaying the {@code deltas} topic and kept current
 * by applying every record appended to it. Applying a record twice changes nothing. Thread-safe.
 */
public final class RegistryState {
    private final Map<String, DomainState> domains = new TreeMap<>();

    public synchronized void apply(String key, SpecificRecord record) {
        if (record instanceof DeltaVersion version) {
            domain(version.getDomain()).version(version);
        } else if (record instanceof DomainConfig config) {
            domain(config.getDomain()).config(config);
        } else if (record instanceof AliasPointer pointer) {
            if (DeltaLog.isAliasHistory(key)) {
                domain(pointer.getDomain()).move(Long.parseLong(key.substring(key.lastIndexOf('#') + 1)), pointer);
            } else {
                domain(pointer.getDomain()).alias(pointer);
            }
        }
    }

    public synchronized List<String> domains() {
        return List.copyOf(domains.keySet());
    }

    public synchronized boolean knows(String domain) {
        return domains.containsKey(domain);
    }

    public synchronized Optional<DomainConfig> config(String domain) {
        return existing(domain).flatMap(DomainState::config);
    }

    /** Versions in order, deleted ones included. */
    public synchronized List<DeltaVersion> versions(String domain) {
        return existing(domain).map(state -> List.copyOf(state.versions().values())).orElse(List.of());
    }

    public synchronized Optional<DeltaVersion> version(String domain, int version) {
        return existing(domain).map(state -> state.versions().get(version));
    }

    /** The highest version ever registered for the domain (deleted ones count): the next is one more. */
    public synchronized int lastVersion(String domain) {
        return existing(domain).map(DomainState::lastVersion).orElse(0);
    }

    public synchronized Map<String, AliasPointer> aliases(String domain) {
        return existing(domain).map(state -> Map.copyOf(state.aliases())).orElse(Map.of());
    }

    public synchronized Optional<AliasPointer> alias(String domain, String alias) {
        return Optional.ofNullable(aliases(domain).get(alias));
    }

    public synchronized List<AliasPointer> aliasHistory(String domain, String alias) {
        return existing(domain).map(state -> state.history(alias)).orElse(List.of());
    }

    /** How many times the alias has moved: its next move is one more. */
    public synchronized long aliasMoves(String domain, String alias) {
        return existing(domain).map(state -> state.moves(alias)).orElse(0L);
    }

    /** The aliases that point at a version. */
    public synchronized List<String> aliasesOf(String domain, int version) {
        return aliases(domain).values().stream()
                .filter(pointer -> pointer.getVersion() != null && pointer.getVersion() == version)
                .map(AliasPointer::getAlias).sorted().collect(Collectors.toList());
    }

    /** How many live versions, of every domain, have this archive. */
    public synchronized long liveVersionsUsing(String sha256) {
        return domains.values().stream().flatMap(state -> state.versions().values().stream())
                .filter(version -> !version.getDeleted() && version.getSha256().equals(sha256)).count();
    }

    private Optional<DomainState> existing(String domain) {
        return Optional.ofNullable(domains.get(domain));
    }

    private DomainState domain(String domain) {
        return domains.computeIfAbsent(domain, name -> new DomainState());
    }
}

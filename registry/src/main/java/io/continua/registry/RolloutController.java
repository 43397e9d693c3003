package io.continua.registry;

import io.continua.registry.live.LiveAccuracy;
import io.continua.registry.live.Looks;
import io.continua.registry.live.RolloutDecisions;
import io.continua.registry.live.RolloutDecisions.Move;
import io.continua.registry.state.RegistryState;
import io.continua.schemas.AliasPointer;
import io.continua.schemas.DomainConfig;
import io.continua.schemas.errors.ServiceException;
import io.continua.schemas.registry.RolloutMode;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every domain's automatic rollout policy: runs on the writer thread, so that it decides on
 * the view every change before it has left and its move is the next change. Each move is an alias
 * move with its reason in the alias's history.
 */
final class RolloutController {
    private static final Logger log = LoggerFactory.getLogger(RolloutController.class);

    private final RegistryState state;
    private final LiveAccuracy live;
    private final Looks looks = new Looks();

    RolloutController(RegistryState state, LiveAccuracy live) {
        this.state = state;
        this.live = live;
    }

    /** One round over every domain whose rollout policy is automatic; returns how many aliases moved. */
    int apply(RegistryWrites writes) {
        int moved = 0;
        for (String domain : state.domains()) {
            Optional<DomainConfig> config = state.config(domain);
            Optional<AliasPointer> production = state.alias(domain, Promotion.PRODUCTION);
            if (config.isEmpty() || production.isEmpty()) {
                continue;
            }
            Set<Integer> rolledBack = state.aliasHistory(domain, Promotion.PRODUCTION).stream()
                    .filter(move -> move.getActor().equals(RolloutDecisions.ROLLBACK)
                            && move.getPreviousVersion() != null)
                    .map(AliasPointer::getPreviousVersion).collect(Collectors.toSet());
            Optional<Move> move = RolloutDecisions.decide(config.get(), production.get(),
                    state.alias(domain, RolloutMode.CANDIDATE), version -> state.version(domain, version)
                            .map(registered -> !registered.getDeleted()).orElse(false), rolledBack, live, looks);
            if (move.isPresent()) {
                try {
                    writes.moveAlias(domain, move.get().alias(), move.get().version(), move.get().reason(),
                            move.get().actor(), Optional.empty());
                    moved++;
                } catch (ServiceException e) {
                    log.warn("Rollout of {} could not move {} to version {}: {}", domain, move.get().alias(),
                            move.get().version(), e.getMessage());
                }
            }
        }
        return moved;
    }
}

package io.continua.peft.artifact;

import io.continua.peft.delta.Delta;
import io.continua.peft.training.OptimizerState;
import java.util.Optional;

/** A validated delta archive: the delta, its optimizer state if saved, and what names it. */
public record LoadedArtifact(Delta delta, Optional<OptimizerState> optimizer, String baseModel, String sha256) {
}

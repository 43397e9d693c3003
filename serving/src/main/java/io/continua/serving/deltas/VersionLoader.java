package io.continua.serving.deltas;

import io.continua.schemas.DeltaVersion;

/** Turns a registered version into a delta ready to serve: the catalog's seam to the model ({@link DeltaLoader}). */
@FunctionalInterface
public interface VersionLoader {
    LoadedDelta load(DeltaVersion version);
}

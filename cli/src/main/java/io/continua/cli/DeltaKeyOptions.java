package io.continua.cli;

import io.continua.schemas.kafka.DeltaLogSignatures;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The public key that checks the registry's signatures on the deltas log: shared by its readers. */
final class DeltaKeyOptions {
    @Option(names = "--deltas-verify-key", defaultValue = "${env:CONTINUA_DELTAS_VERIFY_KEY}", paramLabel = "FILE",
            description = {"The registry's Ed25519 public key (PEM); deltas records that do not verify are ignored,",
                "logged and counted in continua_deltas_untrusted_records (env CONTINUA_DELTAS_VERIFY_KEY;",
                "unset: records are not checked)."})
    Path verifyKey;

    DeltaLogSignatures signatures() {
        return verifyKey == null ? DeltaLogSignatures.NONE
                : DeltaLogSignatures.verifying(DeltaLogSignatures.readPublicKey(verifyKey));
    }
}

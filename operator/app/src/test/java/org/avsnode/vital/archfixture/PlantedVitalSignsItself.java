package org.avsnode.vital.archfixture;

import java.nio.file.Path;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.operator.slashing.EmbeddedSlashingProtection;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningListener;

/** Test-only: a duty that opens its own database and holds the secret key (forbidden). */
public final class PlantedVitalSignsItself {
  private PlantedVitalSignsItself() {}

  static void sign(BlsSecretKey key, Eip712Domain domain, OutputVerdict v) {
    EmbeddedSlashingProtection db =
        EmbeddedSlashingProtection.open(Path.of("x"), ProtectedSigner.slashingDomain(domain));
    new ProtectedSigner(key, db, domain, SigningListener.NONE).sign(v);
  }
}

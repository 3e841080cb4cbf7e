package org.avsnode.operator.node;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.operator.metrics.SignerMetrics;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.DutySigner;

/**
 * One duty's view of the node's {@link ProtectedSigner}: the same key and the same
 * slashing-protection database for every duty, with the outcomes counted under the duty's id.
 */
public final class ScopedSigner implements DutySigner {
  private final ProtectedSigner signer;
  private final String duty;
  private final SignerMetrics metrics;

  public ScopedSigner(ProtectedSigner signer, String duty, SignerMetrics metrics) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.duty = Objects.requireNonNull(duty, "duty");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public BlsPublicKey publicKey() {
    return signer.publicKey();
  }

  @Override
  public Eip712Domain domain() {
    return signer.domain();
  }

  @Override
  public SigningResult sign(FinalityAttestation message) {
    return count(signer.sign(message));
  }

  @Override
  public SigningResult sign(OutputVerdict message) {
    return count(signer.sign(message));
  }

  @Override
  public SigningResult sign(SlotProposal message, List<byte[]> txHashes) {
    return count(signer.sign(message, txHashes));
  }

  @Override
  public boolean mayHaveProposed(long rollupId, long slot) {
    return signer.mayHaveProposed(rollupId, slot);
  }

  @Override
  public SigningResult sign(SlotAttestation message) {
    return count(signer.sign(message));
  }

  @Override
  public SigningResult sign(Preconfirmation message) {
    return count(signer.sign(message));
  }

  private SigningResult count(SigningResult r) {
    try {
      if (r.isSigned()) {
        metrics.signature(duty, SignerMetrics.RESULT_SIGNED);
      } else {
        metrics.refusal(duty, r.reason().name().toLowerCase(Locale.ROOT));
      }
    } catch (RuntimeException ignored) {
      // a broken metrics callback must not change the signing outcome
    }
    return r;
  }

  @Override
  public String toString() {
    return "ScopedSigner[" + duty + ", " + signer + "]";
  }
}

package org.avsnode.mach;

import java.util.Objects;
import java.util.Optional;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.web3j.crypto.Credentials;

/**
 * The per-operator things a MACH duty needs beyond the node's {@code DutyContext}: the protected
 * signer (the only way to sign an attestation), the operator's address, the ECDSA credentials that
 * pay for certificate and evidence submissions (aggregators only), and an event sink.
 *
 * @param closeable released when the duty stops (e.g. the slashing-protection database opened for
 *     it), may be null
 */
public record MachServices(
    ProtectedSigner signer,
    byte[] operator,
    Optional<Credentials> transactionKey,
    MachEvents events,
    AutoCloseable closeable) {
  public MachServices {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(operator, "operator");
    if (operator.length != 20) {
      throw new IllegalArgumentException("operator must be a 20-byte address");
    }
    operator = operator.clone();
    Objects.requireNonNull(transactionKey, "transactionKey");
    events = events == null ? MachEvents.NONE : events;
  }

  @Override
  public byte[] operator() {
    return operator.clone();
  }
}

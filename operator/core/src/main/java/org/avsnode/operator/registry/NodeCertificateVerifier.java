package org.avsnode.operator.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.FormatException;
import org.avsnode.certificate.MessageTypes;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.RejectionReason;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.spi.HttpRoutes;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteResponse;

/**
 * The node's certificate verifier (finality, verdict and slot certificates over HTTP), the third of
 * DESIGN.md §5 beside the contract and the bridge library: the operator set at the certificate's
 * {@code stakeEpoch} is read from the registry, the threshold is at least the registry's, and the
 * check itself is the bridge library's. Served as {@code POST /v1/certificates/verify}; {@code
 * operator certificate verify --rpc-url} uses it too.
 */
public final class NodeCertificateVerifier {
  public static final String PATH = "/v1/certificates/verify";

  /** Largest certificate body accepted (a certificate of 64 operators is about 1 KiB). */
  public static final int MAX_BODY_BYTES = 16 * 1024;

  private final RegistryReader registry;
  private final Eip712Domain domain;

  public NodeCertificateVerifier(RegistryReader registry, Eip712Domain domain) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.domain = Objects.requireNonNull(domain, "domain");
  }

  /**
   * Verifies certificate JSON.
   *
   * @param minThresholdBps the lowest threshold accepted; empty: the registry's
   * @throws L1Exception when the registry cannot be read (no verdict either way)
   */
  public VerificationResult verify(String json, OptionalInt minThresholdBps) {
    return verify(json, minThresholdBps, java.util.Set.of(Certificate.MESSAGE_TYPE));
  }

  /**
   * Verifies certificate JSON of any of {@code messageTypes} (finality, verdict, slot).
   *
   * @throws L1Exception when the registry cannot be read (no verdict either way)
   */
  public VerificationResult verify(
      String json, OptionalInt minThresholdBps, java.util.Set<String> messageTypes) {
    Certificate cert;
    try {
      cert = Certificate.fromJson(json);
    } catch (FormatException e) {
      return VerificationResult.rejected(RejectionReason.MALFORMED_CERTIFICATE, e.getMessage());
    }
    if (cert.stakeEpoch().isEmpty() || !messageTypes.contains(cert.messageType())) {
      return VerificationResult.rejected(
          RejectionReason.UNSUPPORTED_MESSAGE_TYPE,
          "message type '" + cert.messageType() + "' is not accepted here " + messageTypes);
    }
    long epoch = cert.stakeEpoch().getAsLong();
    OperatorSetSnapshot snapshot;
    try {
      snapshot = registry.operatorSetAt(epoch);
    } catch (L1Exception e) {
      if (e.kind() == L1Exception.Kind.MALFORMED || e.kind() == L1Exception.Kind.RPC_ERROR) {
        // no usable operator set at that epoch (none registered, a future epoch, ...)
        return VerificationResult.rejected(
            RejectionReason.EMPTY_OPERATOR_SET,
            "no usable operator set at epoch " + epoch + ": " + e.getMessage());
      }
      throw e;
    }
    int min =
        minThresholdBps.isPresent()
            ? minThresholdBps.getAsInt()
            : Math.max(1, registry.thresholdBps());
    return CertificateVerifier.verify(
        cert,
        snapshot,
        domain,
        VerifierPolicy.minimumThreshold(min).withMessageTypes(messageTypes.toArray(String[]::new)));
  }

  /** Mounts {@code POST /v1/certificates/verify} (body: the certificate JSON). */
  public void install(HttpRoutes routes) {
    routes.post(
        PATH,
        MAX_BODY_BYTES,
        r -> {
          VerificationResult result;
          try {
            result = verify(r.bodyText(), OptionalInt.empty(), MessageTypes.certifiable());
          } catch (L1Exception e) {
            throw new HttpStatusException(503, "the registry cannot be read: " + e.getMessage());
          }
          return RouteResponse.ok(toJson(result));
        });
  }

  /** {@code {"valid": true}} or {@code {"valid": false, "reason": "…", "detail": "…"}}. */
  public static Map<String, Object> toJson(VerificationResult r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("valid", r.isValid());
    r.reason()
        .ifPresent(
            reason -> {
              out.put("reason", reason.name());
              out.put("detail", r.detail());
            });
    return out;
  }
}

package org.avsnode.certificate;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;

/**
 * Verifies quorum certificates (finality by default; verdict and slot certificates when the policy
 * names their types) against an operator-set snapshot. Stateless and thread-safe.
 *
 * <p>The algorithm (docs/certificates.md describes it for integrators; the checks run in this order
 * and the first failure is reported):
 *
 * <ol>
 *   <li>{@code version == 1}; {@code message.type} is one the policy accepts ({@code
 *       FinalityAttestation} by default) and matches the message;
 *   <li>{@code 1 <= thresholdBps <= 10000} and {@code thresholdBps >= policy.minThresholdBps};
 *   <li>(policy) {@code operatorSet.avs == domain.verifyingContract};
 *   <li>{@code digest == keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))};
 *   <li>{@code operatorSet} (avs, id) and {@code message.stakeEpoch} equal the snapshot's;
 *   <li>the bitmap is {@code ceil(n/8)} bytes, has no bit at a position {@code >= n}, has at least
 *       one bit set, and every signer is active at the epoch;
 *   <li>the snapshot's total stake is positive and equals {@code totalStake}; {@code signedStake}
 *       equals the sum of the signers' stakes; {@code signedStake * 10000 >= thresholdBps *
 *       totalStake};
 *   <li>both signature encodings decode (on the curve, in G2, not the identity) and are the same
 *       point;
 *   <li>one pairing check: {@code e(sum of signer keys, H(digest)) == e(g1, aggregateSignature)},
 *       with the POP ciphersuite's signature DST.
 * </ol>
 */
public final class CertificateVerifier {
  /** Basis points in one whole. */
  public static final int BPS = 10_000;

  private static final BigInteger BPS_BIG = BigInteger.valueOf(BPS);

  private CertificateVerifier() {}

  /** Parses and verifies; a parse failure is {@link RejectionReason#MALFORMED_CERTIFICATE}. */
  public static VerificationResult verifyJson(
      String certificateJson,
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      VerifierPolicy policy) {
    Certificate certificate;
    try {
      certificate = Certificate.fromJson(certificateJson);
    } catch (FormatException e) {
      return VerificationResult.rejected(RejectionReason.MALFORMED_CERTIFICATE, e.getMessage());
    }
    return verify(certificate, snapshot, domain, policy);
  }

  /** Verifies a certificate. Never throws for any certificate content. */
  public static VerificationResult verify(
      Certificate certificate,
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      VerifierPolicy policy) {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(policy, "policy");

    if (certificate.version() != Certificate.VERSION) {
      return reject(
          RejectionReason.UNSUPPORTED_VERSION,
          "version " + certificate.version() + " is not supported (expected 1)");
    }
    String type = certificate.messageType();
    boolean consistent =
        MessageTypes.byName(type)
            .map(t -> t.javaType().isInstance(certificate.message()))
            .orElse(false);
    if (!consistent || !policy.messageTypes().contains(type)) {
      return reject(
          RejectionReason.UNSUPPORTED_MESSAGE_TYPE,
          "message type '"
              + type
              + "' is not accepted (accepted: "
              + new java.util.TreeSet<>(policy.messageTypes())
              + ")");
    }
    int t = certificate.thresholdBps();
    if (t < 1 || t > BPS) {
      return reject(
          RejectionReason.THRESHOLD_OUT_OF_RANGE, "thresholdBps " + t + " is not in [1, 10000]");
    }
    if (t < policy.minThresholdBps()) {
      return reject(
          RejectionReason.THRESHOLD_BELOW_POLICY,
          "thresholdBps " + t + " is below the required " + policy.minThresholdBps());
    }
    byte[] avs = certificate.operatorSetAvs();
    if (policy.requireAvsIsVerifyingContract() && !Arrays.equals(avs, domain.verifyingContract())) {
      return reject(
          RejectionReason.DOMAIN_MISMATCH,
          "operator set AVS "
              + HexBytes.encode(avs)
              + " is not the EIP-712 verifyingContract "
              + HexBytes.encode(domain.verifyingContract()));
    }
    byte[] expectedDigest = certificate.message().digest(domain);
    if (!Arrays.equals(expectedDigest, certificate.digest())) {
      return reject(
          RejectionReason.DIGEST_MISMATCH,
          "digest "
              + HexBytes.encode(certificate.digest())
              + " but the message hashes to "
              + HexBytes.encode(expectedDigest)
              + " under "
              + domain);
    }
    if (!Arrays.equals(avs, snapshot.avs()) || certificate.operatorSetId() != snapshot.id()) {
      return reject(
          RejectionReason.OPERATOR_SET_MISMATCH,
          "certificate names operator set ("
              + HexBytes.encode(avs)
              + ", "
              + certificate.operatorSetId()
              + ") but the snapshot is ("
              + HexBytes.encode(snapshot.avs())
              + ", "
              + snapshot.id()
              + ")");
    }
    long stakeEpoch = certificate.stakeEpoch().orElse(-1);
    if (stakeEpoch != snapshot.stakeEpoch()) {
      return reject(
          RejectionReason.STAKE_EPOCH_MISMATCH,
          "message.stakeEpoch "
              + stakeEpoch
              + " but the snapshot is at epoch "
              + snapshot.stakeEpoch());
    }

    int n = snapshot.size();
    byte[] raw = certificate.signers();
    if (raw.length != SignerBitmap.byteLength(n)) {
      return reject(
          RejectionReason.BITMAP_LENGTH,
          "bitmap is "
              + raw.length
              + " bytes; "
              + n
              + " operators need exactly "
              + SignerBitmap.byteLength(n));
    }
    int stray = SignerBitmap.firstStrayBit(raw, n);
    if (stray >= 0) {
      return reject(
          RejectionReason.BITMAP_STRAY_BITS,
          "bit " + stray + " is set but the operator set has " + n + " operators");
    }
    SignerBitmap bitmap = SignerBitmap.fromBytes(raw, n);
    int[] signers = bitmap.signers();
    if (signers.length == 0) {
      return reject(RejectionReason.NO_SIGNERS, "no signer bit is set");
    }
    BigInteger signed = BigInteger.ZERO;
    List<BlsPublicKey> keys = new ArrayList<>(signers.length);
    for (int pos : signers) {
      OperatorSetSnapshot.Operator op = snapshot.operator(pos);
      if (!op.active()) {
        return reject(
            RejectionReason.SIGNER_NOT_ACTIVE,
            "signer at position " + pos + " (" + HexBytes.encode(op.address()) + ") is inactive");
      }
      signed = signed.add(op.stake());
      keys.add(op.publicKey());
    }
    BigInteger total = snapshot.totalStake();
    if (total.signum() == 0) {
      return reject(RejectionReason.EMPTY_OPERATOR_SET, "the active operators hold no stake");
    }
    if (!certificate.totalStake().equals(total)) {
      return reject(
          RejectionReason.TOTAL_STAKE_MISMATCH,
          "totalStake " + certificate.totalStake() + " but the snapshot's total is " + total);
    }
    if (!certificate.signedStake().equals(signed)) {
      return reject(
          RejectionReason.SIGNED_STAKE_MISMATCH,
          "signedStake " + certificate.signedStake() + " but the signers' stakes sum to " + signed);
    }
    if (signed.multiply(BPS_BIG).compareTo(BigInteger.valueOf(t).multiply(total)) < 0) {
      return reject(
          RejectionReason.INSUFFICIENT_STAKE,
          "signed stake " + signed + " of " + total + " is below " + t + " bps");
    }

    BlsSignature signature;
    BlsSignature signatureEip;
    try {
      signature = BlsSignature.fromBytes(certificate.aggregateSignature());
    } catch (BlsException e) {
      return reject(RejectionReason.MALFORMED_SIGNATURE, "aggregateSignature: " + e.getMessage());
    }
    try {
      signatureEip = BlsSignature.fromEip2537(certificate.aggregateSignatureEip2537());
    } catch (BlsException e) {
      return reject(
          RejectionReason.MALFORMED_SIGNATURE, "aggregateSignatureEip2537: " + e.getMessage());
    }
    if (signature.isInfinity() || signatureEip.isInfinity()) {
      return reject(
          RejectionReason.MALFORMED_SIGNATURE, "the aggregate signature is the point at infinity");
    }
    if (!signature.equals(signatureEip)) {
      return reject(
          RejectionReason.SIGNATURE_ENCODINGS_DIFFER,
          "aggregateSignature and aggregateSignatureEip2537 are different points");
    }
    BlsPublicKey aggregateKey;
    try {
      aggregateKey = BlsPublicKey.aggregate(keys);
    } catch (BlsException e) {
      return reject(RejectionReason.INVALID_SIGNATURE, "the signers' keys sum to the identity");
    }
    if (!Bls.verify(aggregateKey, certificate.digest(), signature)) {
      return reject(
          RejectionReason.INVALID_SIGNATURE,
          "the aggregate signature does not verify against the "
              + signers.length
              + " signers' aggregate key");
    }
    return VerificationResult.valid();
  }

  private static VerificationResult reject(RejectionReason reason, String detail) {
    return VerificationResult.rejected(reason, detail);
  }
}

package org.avsnode.operator.registration;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;

/**
 * The {@code data} of {@code registerForOperatorSets} for the AVS registry: exactly 384 bytes, the
 * BLS public key in EIP-2537 G1 form (128 bytes) followed by its proof of possession in EIP-2537 G2
 * form (256 bytes), {@code Sign_POP(sk, compressed_pk)} with the POP ciphersuite.
 */
public final class RegistrationData {
  public static final int SIZE = BlsPublicKey.EIP2537_SIZE + BlsSignature.EIP2537_SIZE;

  private final BlsPublicKey publicKey;
  private final BlsSignature proofOfPossession;

  private RegistrationData(BlsPublicKey publicKey, BlsSignature proofOfPossession) {
    this.publicKey = publicKey;
    this.proofOfPossession = proofOfPossession;
  }

  /** Computes the proof of possession locally with {@code key} (nothing leaves the process). */
  public static RegistrationData of(BlsSecretKey key) {
    Objects.requireNonNull(key, "key");
    return new RegistrationData(key.publicKey(), key.proofOfPossession());
  }

  /**
   * Parses and checks registration data: lengths, valid points, and that the proof of possession
   * verifies for the key (what the registry checks on chain).
   *
   * @throws RegistrationException for anything else
   */
  public static RegistrationData parse(byte[] data) {
    Objects.requireNonNull(data, "data");
    if (data.length != SIZE) {
      throw new RegistrationException(
          "registration data must be " + SIZE + " bytes, got " + data.length);
    }
    BlsPublicKey pk;
    BlsSignature pop;
    try {
      pk = BlsPublicKey.fromEip2537(Arrays.copyOfRange(data, 0, BlsPublicKey.EIP2537_SIZE));
      pop = BlsSignature.fromEip2537(Arrays.copyOfRange(data, BlsPublicKey.EIP2537_SIZE, SIZE));
    } catch (BlsException e) {
      throw new RegistrationException("malformed registration data: " + e.getMessage(), e);
    }
    if (!Bls.verifyProofOfPossession(pk, pop)) {
      throw new RegistrationException("the proof of possession does not verify for the key");
    }
    return new RegistrationData(pk, pop);
  }

  public BlsPublicKey publicKey() {
    return publicKey;
  }

  public BlsSignature proofOfPossession() {
    return proofOfPossession;
  }

  /** The 384 bytes handed to the registry. */
  public byte[] encode() {
    byte[] out = new byte[SIZE];
    System.arraycopy(publicKey.toEip2537(), 0, out, 0, BlsPublicKey.EIP2537_SIZE);
    System.arraycopy(
        proofOfPossession.toEip2537(),
        0,
        out,
        BlsPublicKey.EIP2537_SIZE,
        BlsSignature.EIP2537_SIZE);
    return out;
  }
}

package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * The signing domain a slashing-protection database belongs to: the EIP-712 domain separator (the
 * counterpart of EIP-3076's genesis_validators_root), plus the chain id and verifying contract it
 * was computed from, when known. Two domains are the same iff their separators are equal.
 */
public final class SlashingDomain {
  /** EIP-712 domain name of DESIGN.md §3. */
  public static final String NAME = "AVS Operator Node";

  /** EIP-712 domain version of DESIGN.md §3. */
  public static final String VERSION = "1";

  private static final byte[] DOMAIN_TYPE_HASH =
      keccak(
          "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
              .getBytes(StandardCharsets.US_ASCII));

  private final byte[] separator;
  private final long chainId;
  private final byte[] verifyingContract;

  private SlashingDomain(byte[] separator, long chainId, byte[] verifyingContract) {
    this.separator = separator;
    this.chainId = chainId;
    this.verifyingContract = verifyingContract;
  }

  /**
   * The domain {@code {name: "AVS Operator Node", version: "1", chainId, verifyingContract}}.
   *
   * @param chainId the L1 chain id (positive)
   * @param verifyingContract the 20-byte service manager address
   */
  public static SlashingDomain of(long chainId, byte[] verifyingContract) {
    if (chainId <= 0) {
      throw new IllegalArgumentException("chainId must be positive");
    }
    if (verifyingContract == null || verifyingContract.length != 20) {
      throw new IllegalArgumentException("verifyingContract must be 20 bytes");
    }
    byte[] enc = new byte[32 * 5];
    System.arraycopy(DOMAIN_TYPE_HASH, 0, enc, 0, 32);
    System.arraycopy(keccak(NAME.getBytes(StandardCharsets.UTF_8)), 0, enc, 32, 32);
    System.arraycopy(keccak(VERSION.getBytes(StandardCharsets.UTF_8)), 0, enc, 64, 32);
    byte[] cid = BigInteger.valueOf(chainId).toByteArray();
    System.arraycopy(cid, 0, enc, 128 - cid.length, cid.length);
    System.arraycopy(verifyingContract, 0, enc, 160 - 20, 20);
    return new SlashingDomain(keccak(enc), chainId, verifyingContract.clone());
  }

  /**
   * A domain known only by its 32-byte separator (for example read from an interchange file or
   * mapped from EIP-3076's genesis_validators_root).
   */
  public static SlashingDomain ofSeparator(byte[] separator) {
    if (separator == null || separator.length != 32) {
      throw new IllegalArgumentException("domain separator must be 32 bytes");
    }
    return new SlashingDomain(separator.clone(), -1, null);
  }

  /** Builds a domain from stored parts; the separator must match chainId/contract if present. */
  static SlashingDomain fromStored(byte[] separator, long chainId, byte[] verifyingContract) {
    if (chainId > 0 && verifyingContract != null) {
      SlashingDomain d = of(chainId, verifyingContract);
      if (!Arrays.equals(d.separator, separator)) {
        throw new SlashingProtectionException(
            "stored domain separator does not match the stored chain id and verifying contract");
      }
      return d;
    }
    return ofSeparator(separator);
  }

  public byte[] separator() {
    return separator.clone();
  }

  /** The chain id, or -1 when only the separator is known. */
  public long chainId() {
    return chainId;
  }

  /** The verifying contract, or {@code null} when only the separator is known. */
  public byte[] verifyingContract() {
    return verifyingContract == null ? null : verifyingContract.clone();
  }

  public boolean sameAs(SlashingDomain other) {
    return other != null && Arrays.equals(separator, other.separator);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SlashingDomain d && Arrays.equals(separator, d.separator);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(separator);
  }

  @Override
  public String toString() {
    return "SlashingDomain[separator=0x"
        + HexFormat.of().formatHex(separator)
        + (chainId > 0
            ? ", chainId="
                + chainId
                + ", verifyingContract=0x"
                + HexFormat.of().formatHex(verifyingContract)
            : "")
        + "]";
  }

  static byte[] keccak(byte[] in) {
    KeccakDigest d = new KeccakDigest(256);
    d.update(in, 0, in.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }
}

package org.avsnode.bls.eip712;

import java.util.Arrays;
import java.util.Objects;

/**
 * The EIP-712 domain {@code EIP712Domain(string name,string version,uint256 chainId,address
 * verifyingContract)}.
 */
public record Eip712Domain(String name, String version, long chainId, byte[] verifyingContract) {
  public static final String TYPE =
      "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

  /** The node's domain name. */
  public static final String NAME = "AVS Operator Node";

  /** The node's domain version. */
  public static final String VERSION = "1";

  public Eip712Domain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    if (chainId < 0) {
      throw new IllegalArgumentException("chainId must be non-negative");
    }
    Objects.requireNonNull(verifyingContract, "verifyingContract");
    if (verifyingContract.length != 20) {
      throw new IllegalArgumentException("verifyingContract must be a 20-byte address");
    }
    verifyingContract = verifyingContract.clone();
  }

  /** The node's domain for the given L1 chain and service manager. */
  public static Eip712Domain avsNode(long chainId, byte[] serviceManager) {
    return new Eip712Domain(NAME, VERSION, chainId, serviceManager);
  }

  @Override
  public byte[] verifyingContract() {
    return verifyingContract.clone();
  }

  /** hashStruct(EIP712Domain). */
  public byte[] separator() {
    byte[] address = new byte[32];
    System.arraycopy(verifyingContract, 0, address, 12, 20);
    return Eip712.hashWords(
        Eip712.keccakUtf8(TYPE),
        Eip712.keccakUtf8(name),
        Eip712.keccakUtf8(version),
        Eip712.uint(chainId),
        address);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Eip712Domain d
        && name.equals(d.name)
        && version.equals(d.version)
        && chainId == d.chainId
        && Arrays.equals(verifyingContract, d.verifyingContract);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, version, chainId, Arrays.hashCode(verifyingContract));
  }

  @Override
  public String toString() {
    return "Eip712Domain[name="
        + name
        + ", version="
        + version
        + ", chainId="
        + chainId
        + ", verifyingContract=0x"
        + org.avsnode.bls.Hex.toHex(verifyingContract)
        + "]";
  }
}

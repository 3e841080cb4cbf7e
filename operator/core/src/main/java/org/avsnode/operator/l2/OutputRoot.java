package org.avsnode.operator.l2;

import java.util.Objects;
import org.avsnode.bls.eip712.Eip712;

/**
 * The OP-Stack output root, version 0: {@code keccak256(bytes32(0) ‖ stateRoot ‖
 * messagePasserStorageRoot ‖ blockHash)} (DESIGN.md §7).
 */
public final class OutputRoot {
  /** The L2ToL1MessagePasser predeploy whose storage root the output commits to. */
  public static final String MESSAGE_PASSER = "0x4200000000000000000000000000000000000016";

  private static final byte[] VERSION_0 = new byte[32];

  private OutputRoot() {}

  public static byte[] v0(byte[] stateRoot, byte[] messagePasserStorageRoot, byte[] blockHash) {
    check("stateRoot", stateRoot);
    check("messagePasserStorageRoot", messagePasserStorageRoot);
    check("blockHash", blockHash);
    return Eip712.keccak256(VERSION_0, stateRoot, messagePasserStorageRoot, blockHash);
  }

  private static void check(String what, byte[] b) {
    Objects.requireNonNull(b, what);
    if (b.length != 32) {
      throw new IllegalArgumentException(what + " must be 32 bytes");
    }
  }
}

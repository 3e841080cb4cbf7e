package org.avsnode.squad.l2;

import java.math.BigInteger;

/**
 * An account's nonce and balance after one L2 block, named by its hash (EIP-1898): the head a slot
 * builds on. Reads at {@code latest} would follow whatever the L2 node's head is at the moment of
 * the read, which another node sharing it, or a rollback, can move while the slot is open.
 */
public interface AccountReads {
  /**
   * The account's nonce after the block with {@code blockHash}.
   *
   * @throws L2RpcException also when the node no longer holds that block (it was dropped)
   */
  BigInteger nonceAfter(String address, byte[] blockHash) throws L2RpcException;

  /**
   * The account's balance after the block with {@code blockHash}.
   *
   * @throws L2RpcException also when the node no longer holds that block (it was dropped)
   */
  BigInteger balanceAfter(String address, byte[] blockHash) throws L2RpcException;
}

package org.avsnode.squad.l2;

import java.math.BigInteger;

/** An account's nonce and balance at the L2 head a slot builds on. */
public interface AccountReads {
  BigInteger nonce(String address) throws L2RpcException;

  BigInteger balance(String address) throws L2RpcException;
}

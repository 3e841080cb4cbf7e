package org.avsnode.squad.l2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * A test wallet on a devnet-style L2 anvil: funded by {@code anvil_setBalance}, legacy transfers.
 */
public final class L2TestWallet {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The fee cap of every transfer (10 gwei), above an idle anvil's base fee. */
  public static final BigInteger GAS_PRICE = BigInteger.valueOf(10_000_000_000L);

  private L2TestWallet() {}

  /** A signed EIP-155 transfer of 1 wei to itself. */
  public static byte[] transfer(long chainId, Credentials from, long nonce) {
    RawTransaction t =
        RawTransaction.createEtherTransaction(
            chainId,
            BigInteger.valueOf(nonce),
            BigInteger.valueOf(21_000),
            from.getAddress(),
            BigInteger.ONE,
            BigInteger.ONE,
            GAS_PRICE);
    return TransactionEncoder.signMessage(t, from);
  }

  /** Gives the account 1,000 ETH, as a faucet would. */
  public static void fund(L2Rpc rpc, Credentials c) throws Exception {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"anvil_setBalance\",\"params\":[\""
            + c.getAddress()
            + "\",\"0x3635c9adc5dea00000\"]}";
    rpc.forward((ObjectNode) JSON.readTree(body));
  }
}

package org.avsnode.contracts.deploy;

import java.io.IOException;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthGasPrice;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/** Transaction plumbing shared by the deploy tool and its users: fast receipt polling, gas. */
public final class Chain {
  /** Gas limit for every transaction sent through {@link #gasProvider}. */
  public static final BigInteger DEFAULT_GAS_LIMIT = BigInteger.valueOf(15_000_000);

  private Chain() {}

  /**
   * A signing transaction manager bound to {@code chainId} that polls for receipts every {@code
   * pollMillis} (web3j's default is 15 s).
   */
  public static TransactionManager transactionManager(
      Web3j web3j, Credentials credentials, long chainId, long pollMillis) {
    return new RawTransactionManager(
        web3j,
        credentials,
        chainId,
        new PollingTransactionReceiptProcessor(
            web3j, pollMillis, (int) Math.max(1, 120_000 / Math.max(1, pollMillis))));
  }

  /**
   * Gas price from {@code eth_gasPrice} as is (paying a multiple of it feeds back into nodes that
   * suggest prices from recent transactions, such as anvil) and a fixed gas limit.
   */
  public static ContractGasProvider gasProvider(Web3j web3j, BigInteger gasLimit) {
    return new ContractGasProvider() {
      @Override
      public BigInteger getGasPrice() {
        try {
          EthGasPrice p = web3j.ethGasPrice().send();
          if (p.hasError()) {
            throw new DeploymentException("eth_gasPrice failed: " + p.getError().getMessage());
          }
          return p.getGasPrice();
        } catch (IOException e) {
          throw new DeploymentException("eth_gasPrice failed: " + e.getMessage(), e);
        }
      }

      @Override
      public BigInteger getGasLimit(org.web3j.protocol.core.methods.request.Transaction tx) {
        return gasLimit;
      }

      @Override
      public BigInteger getGasLimit() {
        return gasLimit;
      }
    };
  }

  public static long chainId(Web3j web3j) {
    try {
      var r = web3j.ethChainId().send();
      if (r.hasError()) {
        throw new DeploymentException("eth_chainId failed: " + r.getError().getMessage());
      }
      return r.getChainId().longValueExact();
    } catch (IOException e) {
      throw new DeploymentException("eth_chainId failed: " + e.getMessage(), e);
    }
  }
}

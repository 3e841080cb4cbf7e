package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.toolchain.AnvilProcess;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/** One anvil (Prague) per test class, with helpers for funded accounts and revert data. */
final class ChainFixture implements AutoCloseable {
  static final long CHAIN_ID = 31_337;
  private static final SecureRandom RANDOM = new SecureRandom();

  final AnvilProcess anvil;
  final HttpService http;
  final Web3j web3j;
  final ContractGasProvider gas;

  ChainFixture() {
    // base fee 0 stays 0 (EIP-1559 adjusts it multiplicatively), so hundreds of test
    // transactions do not price the test accounts out
    anvil =
        AnvilProcess.builder()
            .chainId(CHAIN_ID)
            .accounts(1)
            .arg("--block-base-fee-per-gas")
            .arg("0")
            .start();
    http = new HttpService(anvil.rpcUrl());
    web3j = Web3j.build(http);
    gas = Chain.gasProvider(web3j, Chain.DEFAULT_GAS_LIMIT);
  }

  /** A fresh random account with 1000 ETH (anvil_setBalance). */
  Credentials newAccount() throws IOException {
    Credentials c;
    try {
      c = Credentials.create(Keys.createEcKeyPair(RANDOM));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    rpc("anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
    return c;
  }

  Credentials newAccount(ECKeyPair kp) throws IOException {
    Credentials c = Credentials.create(kp);
    rpc("anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
    return c;
  }

  TransactionManager tm(Credentials c) {
    return Chain.transactionManager(web3j, c, CHAIN_ID, 20);
  }

  void mine(long blocks) throws IOException {
    rpc("anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(blocks))));
  }

  long blockNumber() throws IOException {
    return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  private void rpc(String method, List<?> params) throws IOException {
    Response<?> r = new Request<>(method, params, http, VoidResponse.class).send();
    if (r.hasError()) {
      throw new IOException(method + ": " + r.getError().getMessage());
    }
  }

  /** eth_call; returns the revert data (0x...) or null when the call succeeds. */
  String revertData(String from, String to, String data) throws IOException {
    EthCall r =
        web3j
            .ethCall(
                Transaction.createEthCallTransaction(from, to, data),
                DefaultBlockParameterName.LATEST)
            .send();
    if (r.hasError()) {
      String d = r.getError().getData();
      return d == null ? "0x" : d.replace("\"", "");
    }
    return r.isReverted() ? r.getRevertReason() : null;
  }

  /** Asserts the call reverts with the custom error whose signature is {@code errorSig}. */
  void assertReverts(String from, String to, String data, String errorSig) throws IOException {
    String rd = revertData(from, to, data);
    assertThat(rd).as("call should revert with " + errorSig).isNotNull();
    assertThat(rd).startsWith(selector(errorSig));
  }

  static String selector(String sig) {
    return Numeric.toHexString(Hash.sha3(sig.getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
  }

  @Override
  public void close() {
    web3j.shutdown();
    anvil.close();
  }

  public static final class VoidResponse extends Response<Object> {}
}

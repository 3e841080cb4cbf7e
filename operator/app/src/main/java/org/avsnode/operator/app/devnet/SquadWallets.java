package org.avsnode.operator.app.devnet;

import java.math.BigInteger;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.operator.l2.OutputRoot;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * The devnet's users when SQUAD sequences the L2: wallets with keys of their own (funded on the
 * L2), which sign EIP-1559 transactions and send them with {@code eth_sendRawTransaction} to the
 * operators' JSON-RPC endpoints in turn, as any wallet pointed at an operator would; the operator
 * forwards to the slot's leader, which preconfirms. A wallet's nonce is read from the endpoint (the
 * leader's pending nonce) whenever a send fails.
 */
final class SquadWallets implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final BigInteger GAS_PRICE_CAP = BigInteger.valueOf(50_000_000_000L);
  private static final BigInteger TIP = BigInteger.valueOf(1_000_000_000L);

  private final long chainId;
  private final HttpService l2Http;
  private final List<Web3j> endpoints = new ArrayList<>();
  private final List<Credentials> wallets = new ArrayList<>();
  private final Map<String, BigInteger> nonces = new ConcurrentHashMap<>();
  private int turn;

  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();

  /** The hashes the endpoints accepted (each has a preconfirmation), newest last. */
  final List<String> acceptedHashes = java.util.Collections.synchronizedList(new ArrayList<>());

  /** When each accepted hash was answered (epoch millis). */
  final Map<String, Long> acceptedAtMillis = new ConcurrentHashMap<>();

  /**
   * @param l2Http the L2 node (only to fund the wallets, as a faucet would)
   * @param endpoints the operators' {@code /squad/rpc} URLs
   */
  SquadWallets(HttpService l2Http, long chainId, List<URI> endpoints, int count) throws Exception {
    this.chainId = chainId;
    this.l2Http = l2Http;
    for (URI u : endpoints) {
      this.endpoints.add(Web3j.build(new HttpService(u.toString())));
    }
    for (int i = 0; i < count; i++) {
      Credentials c = Credentials.create(Keys.createEcKeyPair(RANDOM));
      fund(c.getAddress());
      wallets.add(c);
    }
  }

  /**
   * Sets the wallet's L2 balance, as a faucet would. {@code anvil_setBalance} is not a transaction:
   * an L2 block that a sequencer drops (never committed on L1) takes the balances set after its
   * parent with it, so a wallet refused for its balance is funded again.
   */
  private void fund(String address) throws java.io.IOException {
    new Request<>(
            "anvil_setBalance",
            List.of(address, "0x3635c9adc5dea00000"),
            l2Http,
            L2Driver.VoidResponse.class)
        .send();
  }

  /** Sends {@code n} transfers, and a call to the message passer when {@code withdrawal}. */
  void send(int n, boolean withdrawal) {
    for (int i = 0; i < n; i++) {
      Credentials from = wallets.get(turn % wallets.size());
      String to = wallets.get((turn + 1) % wallets.size()).getAddress();
      turn++;
      send(from, to, BigInteger.valueOf(21_000), BigInteger.valueOf(1_000 + turn), "0x");
    }
    if (withdrawal) {
      // its code stores the caller under the block number: the output roots change
      send(
          wallets.get(0),
          OutputRoot.MESSAGE_PASSER,
          BigInteger.valueOf(100_000),
          BigInteger.ZERO,
          "0x");
    }
  }

  private void send(Credentials from, String to, BigInteger gas, BigInteger value, String data) {
    Web3j endpoint = endpoints.get(turn % endpoints.size());
    String address = from.getAddress();
    try {
      BigInteger nonce = nonces.get(address);
      if (nonce == null) {
        nonce =
            endpoint
                .ethGetTransactionCount(address, DefaultBlockParameterName.PENDING)
                .send()
                .getTransactionCount();
      }
      RawTransaction t =
          RawTransaction.createTransaction(
              chainId, nonce, gas, to, value, data, TIP, GAS_PRICE_CAP);
      String raw = Numeric.toHexString(TransactionEncoder.signMessage(t, chainId, from));
      EthSendTransaction r = endpoint.ethSendRawTransaction(raw).send();
      if (r.hasError()) {
        refused.incrementAndGet();
        nonces.remove(address); // read again: the slot may have turned
        if (r.getError().getMessage() != null && r.getError().getMessage().contains("balance")) {
          fund(address);
        }
        return;
      }
      nonces.put(address, nonce.add(BigInteger.ONE));
      accepted.incrementAndGet();
      acceptedHashes.add(r.getTransactionHash());
      acceptedAtMillis.put(r.getTransactionHash(), System.currentTimeMillis());
    } catch (Exception e) {
      refused.incrementAndGet();
      nonces.remove(address);
    }
  }

  @Override
  public void close() {
    endpoints.forEach(Web3j::shutdown);
  }
}

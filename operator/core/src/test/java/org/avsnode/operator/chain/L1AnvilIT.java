package org.avsnode.operator.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/** L1 access against a real anvil: head tracking through a real reorg, nonces, fee bumping. */
class L1AnvilIT {
  private static final long CHAIN_ID = 31337;
  private static final RetryPolicy RETRY =
      new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200));

  private static AnvilProcess anvil;
  private static PrometheusMetricsSystem metrics;
  private static L1Client l1;

  @BeforeAll
  static void startAnvil() {
    anvil = AnvilProcess.builder().chainId(CHAIN_ID).start();
    metrics = new PrometheusMetricsSystem(false);
    l1 = L1Client.http(anvil.rpcUrl(), Duration.ofSeconds(5), RETRY, new NodeMetrics(metrics));
    l1.refreshClientVersion();
  }

  @AfterAll
  static void stopAnvil() {
    if (l1 != null) {
      l1.close();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  private static Credentials fundedKey(L1Client client) throws Exception {
    Credentials c = Credentials.create(Keys.createEcKeyPair());
    client.rawCall(
        "anvil_setBalance",
        List.of(c.getAddress(), Numeric.toHexStringWithPrefix(BigInteger.TEN.pow(21))));
    return c;
  }

  private static String randomAddress() throws Exception {
    return Credentials.create(Keys.createEcKeyPair()).getAddress();
  }

  private static TransactionSender sender(L1Client client, Credentials c, SenderConfig config) {
    return new TransactionSender(
        client, c, CHAIN_ID, config, new NodeMetrics(metrics), Clock.systemUTC());
  }

  @Test
  void chainIdIsVerifiedAndTheClientVersionLabelsRpcMetrics() {
    l1.verifyChainId(CHAIN_ID);
    assertThatThrownBy(() -> l1.verifyChainId(1))
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.WRONG_CHAIN))
        .hasMessageContaining("serves chain id 31337, expected 1");
    assertThat(l1.clientVersion()).startsWith("anvil");
    assertThat(metrics.scrape().orElseThrow())
        .containsPattern("eigen_rpc_request_total\\{method=\"eth_chainId\",client_version=\"anvil");
  }

  @Test
  void headTrackingFollowsARealReorgBackToTheCommonAncestor() {
    l1.rawCall("anvil_mine", List.of("0x5"));
    List<HeadTracker.Reorg> seen = new ArrayList<>();
    HeadTracker tracker =
        new HeadTracker(l1, 2, new NodeMetrics(metrics), Clock.systemUTC(), Duration.ofMinutes(1));
    tracker.addListener(
        new HeadTracker.Listener() {
          @Override
          public void onHead(BlockHeader head, java.util.Optional<BlockHeader> confirmed) {}

          @Override
          public void onReorg(HeadTracker.Reorg reorg) {
            seen.add(reorg);
          }
        });
    tracker.poll();
    BlockHeader fork = tracker.head().orElseThrow();
    Object snapshot = l1.rawCall("evm_snapshot", List.of());
    for (int i = 0; i < 3; i++) {
      l1.rawCall("evm_mine", List.of());
      tracker.poll();
    }
    BlockHeader oldHead = tracker.head().orElseThrow();
    assertThat(oldHead.number()).isEqualTo(fork.number() + 3);
    assertThat(tracker.confirmedHead().orElseThrow().number()).isEqualTo(fork.number() + 1);

    assertThat(l1.rawCall("evm_revert", List.of(snapshot))).isEqualTo(Boolean.TRUE);
    // mine a different branch: other timestamps give other hashes
    l1.rawCall("evm_setNextBlockTimestamp", List.of(fork.timestamp() + 1000));
    l1.rawCall("anvil_mine", List.of("0x4"));
    HeadTracker.Reorg reorg = tracker.poll().orElseThrow();

    assertThat(reorg.depth()).isEqualTo(3);
    assertThat(reorg.commonAncestor().orElseThrow()).isEqualTo(fork);
    assertThat(reorg.oldHead()).isEqualTo(oldHead);
    assertThat(reorg.newHead().number()).isEqualTo(fork.number() + 4);
    assertThat(tracker.head().orElseThrow()).isEqualTo(l1.latest());
    assertThat(seen).containsExactly(reorg);
    assertThat(metrics.scrape().orElseThrow()).contains("avs_chain_reorgs_total 1.0");
  }

  @Test
  void concurrentSendsGetConsecutiveNonces() throws Exception {
    Credentials key = fundedKey(l1);
    TransactionSender s = sender(l1, key, SenderConfig.DEFAULT);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<TransactionSender.Pending>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 24; i++) {
        String to = randomAddress();
        futures.add(
            pool.submit(
                () ->
                    s.submit(new TxRequest(to, BigInteger.ONE, "0x", BigInteger.valueOf(21_000)))));
      }
      Set<Long> nonces = new TreeSet<>();
      for (Future<TransactionSender.Pending> f : futures) {
        TransactionSender.Pending p = f.get();
        nonces.add(p.nonce());
        assertThat(s.await(p).success()).isTrue();
      }
      assertThat(nonces).hasSize(24).first().isEqualTo(0L);
      assertThat(nonces).last().isEqualTo(23L);
      assertThat(l1.pendingNonce(key.getAddress())).isEqualTo(BigInteger.valueOf(24));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStaleNonceIsResynchronisedOnNonceTooLow() throws Exception {
    Credentials key = fundedKey(l1);
    TransactionSender a = sender(l1, key, SenderConfig.DEFAULT);
    TransactionSender b = sender(l1, key, SenderConfig.DEFAULT);
    TxRequest transfer = new TxRequest(randomAddress(), BigInteger.ONE, "0x", null);
    assertThat(a.sendAndWait(transfer).success()).isTrue(); // a: nonce 0, next 1
    assertThat(b.sendAndWait(transfer).success()).isTrue(); // b reads 1 from L1, uses it
    TransactionSender.Pending third = a.submit(transfer); // a still thinks 1: too low
    assertThat(third.nonce()).isEqualTo(2);
    assertThat(a.await(third).success()).isTrue();
  }

  @Test
  void aTransactionWithoutReceiptIsResubmittedWithHigherFees() throws Exception {
    try (AnvilProcess manual = AnvilProcess.builder().chainId(CHAIN_ID).arg("--no-mining").start();
        L1Client client =
            L1Client.http(
                manual.rpcUrl(), Duration.ofSeconds(5), RETRY, new NodeMetrics(metrics))) {
      Credentials key = fundedKey(client);
      TransactionSender s =
          sender(
              client,
              key,
              SenderConfig.DEFAULT
                  .withBumpAfterBlocks(2)
                  .withTimeouts(Duration.ofSeconds(60), Duration.ofMillis(50)));
      TransactionSender.Pending p =
          s.submit(
              new TxRequest(randomAddress(), BigInteger.ONE, "0x", BigInteger.valueOf(21_000)));
      BigInteger firstMaxFee = p.maxFeePerGas();
      BigInteger firstTip = p.maxPriorityFeePerGas();
      // the mempool loses it: only a resubmission can get it mined
      client.rawCall("anvil_dropTransaction", List.of(p.hashes().get(0)));
      AtomicBoolean mining = new AtomicBoolean(true);
      ConcurrentLinkedQueue<Throwable> minerErrors = new ConcurrentLinkedQueue<>();
      Thread miner =
          new Thread(
              () -> {
                while (mining.get()) {
                  try {
                    client.rawCall("evm_mine", List.of());
                    Thread.sleep(150);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    minerErrors.add(e);
                  }
                }
              });
      miner.start();
      TxReceipt receipt;
      try {
        receipt = s.await(p);
      } finally {
        mining.set(false);
        miner.interrupt();
        miner.join(5_000);
      }
      assertThat(minerErrors).isEmpty();
      assertThat(receipt.success()).isTrue();
      assertThat(p.hashes()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(receipt.transactionHash()).isIn(p.hashes().subList(1, p.hashes().size()));
      assertThat(p.maxPriorityFeePerGas())
          .isGreaterThanOrEqualTo(
              new java.math.BigDecimal(firstTip)
                  .multiply(new java.math.BigDecimal("1.125"))
                  .setScale(0, java.math.RoundingMode.CEILING)
                  .toBigInteger());
      assertThat(p.maxFeePerGas()).isGreaterThan(firstMaxFee);
      assertThat(metrics.scrape().orElseThrow())
          .containsPattern("avs_chain_transactions_total\\{outcome=\"replaced\",\\} [1-9]");
    }
  }

  /**
   * An L1 reorg takes away a transaction whose receipt the sender already saw (anvil, unlike a geth
   * pool, does not take it back): the next transaction waits behind the nonce gap until the sender
   * broadcasts its own signed transaction of the missing nonce again. Without that, the second
   * transaction never gets a receipt.
   */
  @Test
  void aNonceGapLeftByAReorgIsFilledWithTheSameSignedTransaction() throws Exception {
    try (AnvilProcess manual = AnvilProcess.builder().chainId(CHAIN_ID).arg("--no-mining").start();
        L1Client client =
            L1Client.http(
                manual.rpcUrl(), Duration.ofSeconds(5), RETRY, new NodeMetrics(metrics))) {
      Credentials key = fundedKey(client);
      TransactionSender s =
          sender(
              client,
              key,
              SenderConfig.DEFAULT
                  .withBumpAfterBlocks(2)
                  .withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(50)));
      TransactionSender.Pending first = minedThenReorgedAway(client, s, key);
      TransactionSender.Pending second =
          s.submit(
              new TxRequest(randomAddress(), BigInteger.ONE, "0x", BigInteger.valueOf(21_000)));
      assertThat(second.nonce()).isEqualTo(first.nonce() + 1);
      AtomicBoolean mining = new AtomicBoolean(true);
      Thread miner =
          new Thread(
              () -> {
                while (mining.get()) {
                  try {
                    client.rawCall("evm_mine", List.of());
                    Thread.sleep(150);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    // the next round mines again
                  }
                }
              });
      miner.start();
      TxReceipt receipt;
      try {
        receipt = s.await(second);
      } finally {
        mining.set(false);
        miner.interrupt();
        miner.join(5_000);
      }
      assertThat(receipt.success()).isTrue();
      // the first transaction is back on L1 with its original bytes (its hash did not change)
      assertThat(client.receipt(first.hashes().get(first.hashes().size() - 1))).isPresent();
      assertThat(client.minedNonce(key.getAddress())).isEqualTo(BigInteger.TWO);
      assertThat(metrics.scrape().orElseThrow())
          .containsPattern("avs_chain_transactions_total\\{outcome=\"rebroadcast\",\\} [1-9]");
    }
  }

  /**
   * The first transaction of {@code s}: mined, its receipt seen, then taken away by a reorg (anvil
   * snapshot and revert): its block is gone, and so is the transaction (anvil's pool does not take
   * it back).
   */
  private static TransactionSender.Pending minedThenReorgedAway(
      L1Client client, TransactionSender s, Credentials key) throws Exception {
    Object snapshot = client.rawCall("evm_snapshot", List.of());
    TransactionSender.Pending first =
        s.submit(new TxRequest(randomAddress(), BigInteger.ONE, "0x", BigInteger.valueOf(21_000)));
    client.rawCall("evm_mine", List.of());
    TxReceipt mined = s.await(first);
    assertThat(mined.success()).isTrue();
    assertThat(client.rawCall("evm_revert", List.of(snapshot))).isEqualTo(Boolean.TRUE);
    assertThat(client.receipt(mined.transactionHash())).isEmpty();
    assertThat(client.pendingNonce(key.getAddress())).isEqualTo(BigInteger.ZERO);
    return first;
  }

  /**
   * The same reorg, but no fee bump is due for a long time: the sender finds the gap when it sends
   * the next transaction (its pending nonce is below the sender's next one) and broadcasts the lost
   * transaction again first, so both are mined in the next block. Without that, the second
   * transaction waits behind the gap and gets no receipt in time.
   */
  @Test
  void aNonceGapIsFilledWhenTheNextTransactionIsSent() throws Exception {
    try (AnvilProcess manual = AnvilProcess.builder().chainId(CHAIN_ID).arg("--no-mining").start();
        L1Client client =
            L1Client.http(
                manual.rpcUrl(), Duration.ofSeconds(5), RETRY, new NodeMetrics(metrics))) {
      Credentials key = fundedKey(client);
      TransactionSender s =
          sender(
              client,
              key,
              SenderConfig.DEFAULT
                  .withBumpAfterBlocks(1_000)
                  .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(50)));
      TransactionSender.Pending first = minedThenReorgedAway(client, s, key);
      TransactionSender.Pending second =
          s.submit(
              new TxRequest(randomAddress(), BigInteger.ONE, "0x", BigInteger.valueOf(21_000)));
      assertThat(second.nonce()).isEqualTo(first.nonce() + 1);
      client.rawCall("evm_mine", List.of());
      assertThat(s.await(second).success()).isTrue();
      assertThat(client.minedNonce(key.getAddress())).isEqualTo(BigInteger.TWO);
      assertThat(client.receipt(first.hashes().get(0))).isPresent();
    }
  }

  @Test
  void noReceiptInTimeIsATypedTimeout() throws Exception {
    try (AnvilProcess manual = AnvilProcess.builder().chainId(CHAIN_ID).arg("--no-mining").start();
        L1Client client =
            L1Client.http(
                manual.rpcUrl(), Duration.ofSeconds(5), RETRY, new NodeMetrics(metrics))) {
      Credentials key = fundedKey(client);
      TransactionSender s =
          sender(
              client,
              key,
              SenderConfig.DEFAULT.withTimeouts(Duration.ofMillis(600), Duration.ofMillis(50)));
      TransactionSender.Pending p =
          s.submit(
              new TxRequest(randomAddress(), BigInteger.ONE, "0x", BigInteger.valueOf(21_000)));
      assertThatThrownBy(() -> s.await(p))
          .isInstanceOfSatisfying(
              L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.TX_TIMEOUT))
          .hasMessageContaining("no receipt for nonce 0")
          .hasMessageContaining(p.hashes().get(0));
    }
  }

  @Test
  void aRevertingEstimateIsADeterministicRpcError() throws Exception {
    Credentials key = fundedKey(l1);
    // a contract creation whose init code is PUSH0 PUSH0 REVERT (0x5f5ffd)
    assertThatThrownBy(() -> l1.estimateGas(key.getAddress(), null, BigInteger.ZERO, "0x5f5ffd"))
        .isInstanceOfSatisfying(
            L1RpcErrorException.class, e -> assertThat(e.isReverted()).isTrue());
  }
}

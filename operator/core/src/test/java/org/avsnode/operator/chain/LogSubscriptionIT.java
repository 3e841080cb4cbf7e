package org.avsnode.operator.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * The L1 log subscription against a real anvil: delivery in order at a confirmation depth, a real
 * reorg (snapshot and revert) retracting what it removed, and a restart from the persisted cursor
 * that misses nothing produced while the subscriber was down.
 */
class LogSubscriptionIT {
  private static final String TRANSFER = Hash.sha3String("Transfer(address,address,uint256)");

  private AnvilProcess anvil;
  private L1Client l1;
  private TestToken token;
  private Credentials owner;

  /** What a listener saw, in order: "+amount" delivered, "-amount" retracted. */
  private final List<String> seen = new ArrayList<>();

  private final LogSubscription.Listener listener =
      new LogSubscription.Listener() {
        @Override
        public void onLog(LogSubscription.LogEvent log) {
          seen.add("+" + amount(log));
        }

        @Override
        public void onRetracted(LogSubscription.LogEvent log) {
          seen.add("-" + amount(log));
        }
      };

  @BeforeEach
  void chain() throws Exception {
    anvil = AnvilProcess.builder().chainId(31337).start();
    l1 =
        L1Client.http(
            anvil.rpcUrl(),
            Duration.ofSeconds(5),
            RetryPolicy.DEFAULT,
            new NodeMetrics(new NoOpMetricsSystem()));
    owner = Credentials.create(Keys.createEcKeyPair());
    l1.rawCall("anvil_setBalance", List.of(owner.getAddress(), "0x3635c9adc5dea00000"));
    token =
        TestToken.deploy(
                l1.web3j(),
                Chain.transactionManager(l1.web3j(), owner, 31337, 20),
                Chain.gasProvider(l1.web3j(), Chain.DEFAULT_GAS_LIMIT),
                "T",
                "T",
                owner.getAddress())
            .send();
  }

  @AfterEach
  void stop() {
    l1.close();
    anvil.close();
  }

  private static long amount(LogSubscription.LogEvent log) {
    return Numeric.toBigInt(log.data()).longValueExact();
  }

  private void mint(long amount) throws Exception {
    assertThat(token.mint(owner.getAddress(), BigInteger.valueOf(amount)).send().isStatusOK())
        .isTrue();
  }

  private LogSubscription subscription(Path cursor, int confirmations) {
    return new LogSubscription(
        l1,
        List.of(token.getContractAddress()),
        List.of(TRANSFER),
        confirmations,
        cursor,
        0,
        listener);
  }

  @Test
  void deliversInOrderRetractsOnAReorgAndResumesFromTheCursor(@TempDir Path dir) throws Exception {
    Path cursor = dir.resolve("cursor.json");
    LogSubscription s = subscription(cursor, 0);
    mint(1);
    mint(2);
    mint(3);
    assertThat(s.poll()).isEqualTo(3);
    assertThat(seen).containsExactly("+1", "+2", "+3");

    // a reorg: blocks with mints 4 and 5 are replaced by a block with mint 6
    Object snapshot = l1.rawCall("evm_snapshot", List.of());
    mint(4);
    mint(5);
    s.poll();
    assertThat(seen).containsExactly("+1", "+2", "+3", "+4", "+5");
    assertThat(l1.rawCall("evm_revert", List.of(snapshot))).isEqualTo(Boolean.TRUE);
    mint(6);
    l1.rawCall("anvil_mine", List.of("0x2"));
    s.poll();
    assertThat(seen.subList(5, seen.size())).containsExactly("-5", "-4", "+6");

    // down for a while: what happened meanwhile is delivered after the restart
    mint(7);
    mint(8);
    seen.clear();
    LogSubscription restarted = subscription(cursor, 0);
    restarted.poll();
    assertThat(seen).contains("+7", "+8").doesNotContain("+4", "+5");
    // the replay of the last blocks below the cursor may deliver 6 again: at least once
    Set<String> distinct = new LinkedHashSet<>(seen);
    assertThat(distinct).containsSubsequence("+7", "+8");
  }

  @Test
  void aLogWaitsForItsConfirmations(@TempDir Path dir) throws Exception {
    LogSubscription s = subscription(dir.resolve("cursor.json"), 2);
    mint(10);
    assertThat(s.poll()).isZero();
    l1.rawCall("anvil_mine", List.of("0x1"));
    assertThat(s.poll()).isZero();
    l1.rawCall("anvil_mine", List.of("0x1"));
    assertThat(s.poll()).isEqualTo(1);
    assertThat(seen).containsExactly("+10");
    assertThat(s.poll()).isZero();
  }
}

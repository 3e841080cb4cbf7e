package org.avsnode.vital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.LogSubscription;
import org.junit.jupiter.api.Test;

class GameLogsTest {
  private static final String TOPIC0 = "0x" + "5b".repeat(32);
  private static final String TYPE = "0x" + "00".repeat(31) + "01";

  /** A factory with games per block and what each game answers to l2BlockNumber(). */
  private static final class Chain implements GameLogs.Reads {
    final Map<String, BigInteger> countAt = new HashMap<>();
    final Map<String, Object> l2Block = new HashMap<>();
    boolean down;
    int reads;

    @Override
    public BigInteger gameCountAt(String blockHash) {
      reads++;
      if (down) {
        throw new L1Exception(L1Exception.Kind.UNAVAILABLE, "eth_call", "connection refused");
      }
      return countAt.get(blockHash);
    }

    @Override
    public long gameL2Block(String game) {
      reads++;
      if (down) {
        throw new L1Exception(L1Exception.Kind.UNAVAILABLE, "eth_call", "connection refused");
      }
      Object answer = l2Block.get(game);
      if (answer instanceof RuntimeException e) {
        throw e;
      }
      return ((BigInteger) answer).longValueExact();
    }
  }

  private static final class Outcomes implements GameLogs.Sink {
    final List<String> resolved = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();

    @Override
    public void resolved(LogSubscription.LogEvent log, BigInteger index, long l2Block) {
      resolved.add(game(log) + " #" + index + " L2 " + l2Block);
    }

    @Override
    public void dropped(LogSubscription.LogEvent log, String why) {
      dropped.add(game(log) + ": " + why);
    }
  }

  private static String game(LogSubscription.LogEvent log) {
    return "0x" + log.topics().get(1).substring(26);
  }

  private static String address(int n) {
    return String.format("0x%040x", n);
  }

  private static LogSubscription.LogEvent log(int game, long block, long logIndex) {
    return new LogSubscription.LogEvent(
        address(0xfac),
        List.of(
            TOPIC0,
            "0x" + "00".repeat(12) + address(game).substring(2),
            TYPE,
            "0x" + "ab".repeat(32)),
        "0x",
        block,
        "0x" + String.format("%064x", block),
        "0x" + "cc".repeat(32),
        logIndex);
  }

  private static String blockHash(long block) {
    return "0x" + String.format("%064x", block);
  }

  @Test
  void indexesGamesWithinABlockByLogOrder() {
    Chain chain = new Chain();
    chain.countAt.put(blockHash(5), BigInteger.valueOf(3));
    chain.l2Block.put(address(1), BigInteger.valueOf(10));
    chain.l2Block.put(address(2), BigInteger.valueOf(20));
    chain.l2Block.put(address(3), BigInteger.valueOf(30));
    GameLogs logs = new GameLogs();
    logs.add(log(3, 5, 9));
    logs.add(log(1, 5, 2));
    logs.add(log(2, 5, 4));
    Outcomes out = new Outcomes();

    logs.resolve(chain, out);

    assertThat(out.resolved)
        .containsExactlyInAnyOrder(
            address(1) + " #0 L2 10", address(2) + " #1 L2 20", address(3) + " #2 L2 30");
    assertThat(out.dropped).isEmpty();
    assertThat(logs.size()).isZero();
  }

  @Test
  void aGameThatRevertsOrNamesAHugeBlockIsDroppedAndDoesNotHoldBackTheOthers() {
    Chain chain = new Chain();
    chain.countAt.put(blockHash(5), BigInteger.valueOf(2));
    chain.countAt.put(blockHash(6), BigInteger.valueOf(4));
    chain.l2Block.put(
        address(1), new L1Exception(L1Exception.Kind.RPC_ERROR, "eth_call", "execution reverted"));
    chain.l2Block.put(address(2), BigInteger.valueOf(20));
    chain.l2Block.put(address(3), BigInteger.ONE.shiftLeft(70));
    chain.l2Block.put(address(4), BigInteger.valueOf(40));
    GameLogs logs = new GameLogs();
    logs.add(log(1, 5, 0));
    logs.add(log(2, 5, 1));
    logs.add(log(3, 6, 0));
    logs.add(log(4, 6, 1));
    Outcomes out = new Outcomes();

    logs.resolve(chain, out);
    // the good games do not wait for the hostile ones, and keep their own indices
    assertThat(out.resolved).containsExactly(address(2) + " #1 L2 20", address(4) + " #3 L2 40");
    assertThat(out.dropped).isEmpty();
    assertThat(logs.size()).isEqualTo(2);

    for (int poll = 2; poll <= GameLogs.ATTEMPTS; poll++) {
      logs.resolve(chain, out);
    }
    assertThat(out.dropped).hasSize(2);
    assertThat(out.dropped.get(0)).startsWith(address(1)).contains("execution reverted");
    assertThat(out.dropped.get(1)).startsWith(address(3)).contains("beyond 2^63");
    assertThat(logs.size()).isZero();
    assertThat(out.resolved).hasSize(2);
  }

  @Test
  void aGameThatAnswersOnItsSecondTryKeepsTheIndexOfItsBlock() {
    Chain chain = new Chain();
    chain.countAt.put(blockHash(5), BigInteger.valueOf(2));
    chain.l2Block.put(
        address(1), new L1Exception(L1Exception.Kind.MALFORMED, "eth_call", "not one word: 0x"));
    chain.l2Block.put(address(2), BigInteger.valueOf(20));
    GameLogs logs = new GameLogs();
    logs.add(log(1, 5, 0));
    logs.add(log(2, 5, 1));
    Outcomes out = new Outcomes();
    logs.resolve(chain, out);

    chain.l2Block.put(address(1), BigInteger.valueOf(10));
    logs.resolve(chain, out);

    assertThat(out.resolved).containsExactly(address(2) + " #1 L2 20", address(1) + " #0 L2 10");
    assertThat(out.dropped).isEmpty();
  }

  @Test
  void anUnreachableEndpointNeverDropsAnything() {
    Chain chain = new Chain();
    chain.countAt.put(blockHash(5), BigInteger.ONE);
    chain.l2Block.put(address(1), BigInteger.valueOf(10));
    GameLogs logs = new GameLogs();
    logs.add(log(1, 5, 0));
    Outcomes out = new Outcomes();
    chain.down = true;

    for (int poll = 0; poll < 3 * GameLogs.ATTEMPTS; poll++) {
      assertThatThrownBy(() -> logs.resolve(chain, out)).isInstanceOf(L1Exception.class);
    }
    assertThat(out.dropped).isEmpty();
    assertThat(logs.size()).isEqualTo(1);

    chain.down = false;
    logs.resolve(chain, out);
    assertThat(out.resolved).containsExactly(address(1) + " #0 L2 10");
  }

  @Test
  void aMalformedLogIsDroppedAtOnceAndARetractedOneIsForgotten() {
    Chain chain = new Chain();
    chain.countAt.put(blockHash(5), BigInteger.ONE);
    chain.countAt.put(blockHash(6), BigInteger.valueOf(2));
    chain.l2Block.put(address(2), BigInteger.valueOf(20));
    GameLogs logs = new GameLogs();
    LogSubscription.LogEvent shortLog =
        new LogSubscription.LogEvent(
            address(0xfac),
            List.of(TOPIC0, TYPE),
            "0x",
            5,
            blockHash(5),
            "0x" + "cc".repeat(32),
            0);
    logs.add(shortLog);
    LogSubscription.LogEvent reorged = log(2, 6, 0);
    logs.add(reorged);
    logs.retract(reorged.key());
    Outcomes out = new Outcomes();

    logs.resolve(chain, out);

    assertThat(out.dropped).singleElement().asString().contains("does not add up");
    assertThat(out.resolved).isEmpty();
    assertThat(logs.size()).isZero();
  }
}

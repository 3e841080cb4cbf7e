package org.avsnode.vital;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.LogSubscription;

/**
 * The {@code DisputeGameCreated} logs of one factory that are not yet proposals. A game's output
 * index is {@code gameCount()} as of the log's block (read by block hash, so from the same chain)
 * minus the games created after it in that block; its L2 block is the game's {@code
 * l2BlockNumber()}.
 *
 * <p>Anyone may create a game in a permissionless factory, so a game's answers are hostile input: a
 * game whose {@code l2BlockNumber()} reverts, answers something that is not one word, or names a
 * block beyond {@code 2^63 - 1} is dropped after {@link #ATTEMPTS} polls (a malformed log at once),
 * with a warning and a counter, and the games behind it go on. An L1 endpoint that cannot be
 * reached ({@link L1Exception.Kind#UNAVAILABLE}) leaves everything where it is for the next poll.
 */
final class GameLogs {
  /** Polls a game gets before a deterministic failure drops it. */
  static final int ATTEMPTS = 3;

  /** The L1 reads the resolution needs. */
  interface Reads {
    BigInteger gameCountAt(String blockHash);

    long gameL2Block(String game);
  }

  /** Where the outcomes go. */
  interface Sink {
    void resolved(LogSubscription.LogEvent log, BigInteger index, long l2Block);

    void dropped(LogSubscription.LogEvent log, String why);
  }

  private final List<LogSubscription.LogEvent> logs = new ArrayList<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private final Map<String, BigInteger> indices = new HashMap<>();

  void add(LogSubscription.LogEvent log) {
    logs.add(log);
  }

  /** A reorg took the log away. */
  void retract(String logKey) {
    logs.removeIf(l -> l.key().equals(logKey));
    failures.remove(logKey);
    indices.remove(logKey);
  }

  int size() {
    return logs.size();
  }

  /**
   * Resolves what it can, in log order. Throws the {@link L1Exception} of an unreachable endpoint
   * (the rest waits for the next poll).
   */
  void resolve(Reads reads, Sink sink) {
    // 1. the output index of every game, block by block: all logs of a block arrive together
    for (LogSubscription.LogEvent first : List.copyOf(logs)) {
      if (indices.containsKey(first.key()) || !logs.contains(first)) {
        continue;
      }
      List<LogSubscription.LogEvent> block = new ArrayList<>();
      for (LogSubscription.LogEvent l : logs) {
        if (l.blockHash().equals(first.blockHash()) && !indices.containsKey(l.key())) {
          block.add(l);
        }
      }
      block.sort(Comparator.comparingLong(LogSubscription.LogEvent::logIndex));
      BigInteger count;
      try {
        count = reads.gameCountAt(first.blockHash());
      } catch (L1Exception e) {
        if (e.kind() == L1Exception.Kind.UNAVAILABLE) {
          throw e;
        }
        for (LogSubscription.LogEvent l : block) {
          failed(l, "gameCount() at its block: " + e.getMessage(), sink);
        }
        continue;
      }
      for (int j = 0; j < block.size(); j++) {
        LogSubscription.LogEvent log = block.get(j);
        BigInteger index = count.subtract(BigInteger.valueOf(block.size() - j));
        if (log.topics().size() < 4
            || !log.topics().stream().allMatch(t -> t.matches("0x[0-9a-fA-F]{64}"))
            || index.signum() < 0) {
          forget(log);
          sink.dropped(log, "a DisputeGameCreated log that does not add up");
        } else {
          indices.put(log.key(), index);
        }
      }
    }
    // 2. the L2 block each game names
    for (LogSubscription.LogEvent log : List.copyOf(logs)) {
      BigInteger index = indices.get(log.key());
      if (index == null) {
        continue; // its block's count failed this poll
      }
      String game = "0x" + log.topics().get(1).substring(26);
      long l2Block;
      try {
        l2Block = reads.gameL2Block(game);
      } catch (L1Exception e) {
        if (e.kind() == L1Exception.Kind.UNAVAILABLE) {
          throw e;
        }
        failed(log, "l2BlockNumber() of game " + game + ": " + e.getMessage(), sink);
        continue;
      } catch (ArithmeticException e) {
        failed(log, "game " + game + " names an L2 block beyond 2^63 - 1", sink);
        continue;
      }
      forget(log);
      sink.resolved(log, index, l2Block);
    }
  }

  private void forget(LogSubscription.LogEvent log) {
    logs.remove(log);
    failures.remove(log.key());
    indices.remove(log.key());
  }

  private void failed(LogSubscription.LogEvent log, String why, Sink sink) {
    int n = failures.merge(log.key(), 1, Integer::sum);
    if (n >= ATTEMPTS) {
      forget(log);
      sink.dropped(log, why + " (" + n + " polls)");
    }
  }
}

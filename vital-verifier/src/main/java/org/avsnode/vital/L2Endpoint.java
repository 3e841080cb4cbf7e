package org.avsnode.vital;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.l2.L2Exception;

/**
 * One L2 endpoint as VITAL uses it, shared by every rollup that names the same URL: one token
 * bucket for the requests all of them make (so adding rollups never multiplies the load on a node),
 * and one head reading reused for {@code headTtl} (the rollups' polls ask for the head at the same
 * moments). A request that cannot get a token within {@code maxWait} fails with an {@link
 * L2Exception}, which the checker turns into a retryable ABSTAIN: being rate limited never yields a
 * verdict.
 */
final class L2Endpoint implements OutputChecker.Source, ZkBatchChecker.Source {

  /** What a request is for, as counted: the head, or the block and proof of one output. */
  interface Counter {
    void count(String purpose);
  }

  private final L2Client client;
  private final double perSecond;
  private final Duration maxWait;
  private final Duration headTtl;
  private final LongSupplier nanos;
  private final Counter counter;
  private final Object lock = new Object();
  private double tokens;
  private long refilledAt;
  private long headValue = -1;
  private long headAt;
  // the first head seen and when, for the block rate
  private long firstHead = -1;
  private long firstHeadAt;

  /**
   * @param perSecond requests per second to this endpoint (also the burst)
   * @param maxWait how long a request may wait for a token before it fails
   * @param headTtl how long one {@code eth_blockNumber} answer is reused
   */
  L2Endpoint(
      L2Client client,
      double perSecond,
      Duration maxWait,
      Duration headTtl,
      LongSupplier nanos,
      Counter counter) {
    this.client = Objects.requireNonNull(client, "client");
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("requests per second must be positive");
    }
    this.perSecond = perSecond;
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    this.headTtl = Objects.requireNonNull(headTtl, "headTtl");
    this.nanos = Objects.requireNonNull(nanos, "nanos");
    this.counter = Objects.requireNonNull(counter, "counter");
    this.tokens = perSecond;
    this.refilledAt = nanos.getAsLong();
  }

  @Override
  public String name() {
    return client.endpoint();
  }

  @Override
  public long blockNumber() {
    synchronized (lock) {
      if (headValue >= 0 && nanos.getAsLong() - headAt < headTtl.toNanos()) {
        return headValue;
      }
    }
    acquire();
    counter.count("head");
    long h = client.blockNumber();
    synchronized (lock) {
      headValue = h;
      headAt = nanos.getAsLong();
      if (firstHead < 0 || h < firstHead) {
        firstHead = h;
        firstHeadAt = headAt;
      }
    }
    return h;
  }

  @Override
  public long knownHead() {
    synchronized (lock) {
      return headValue;
    }
  }

  @Override
  public long nanosUntil(long block) {
    synchronized (lock) {
      if (headValue < 0 || block <= headValue || headValue <= firstHead) {
        return 0;
      }
      long perBlock = (headAt - firstHeadAt) / (headValue - firstHead);
      long elapsed = nanos.getAsLong() - headAt;
      return Math.max(0, (block - headValue) * perBlock - elapsed);
    }
  }

  @Override
  public Optional<L2Block> block(long number) {
    acquire();
    counter.count("output");
    return client.block(number);
  }

  @Override
  public Optional<L2Client.BlockTransactions> blockTransactions(long number) {
    acquire();
    counter.count("batch");
    return client.blockTransactions(number);
  }

  @Override
  public byte[] outputRoot(L2Block block) {
    acquire();
    counter.count("output");
    return client.outputRoot(block);
  }

  /** Takes one token, waiting up to {@code maxWait}; else an {@link L2Exception}. */
  void acquire() {
    long deadline = nanos.getAsLong() + maxWait.toNanos();
    while (true) {
      long waitNanos;
      synchronized (lock) {
        long now = nanos.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
        refilledAt = now;
        if (tokens >= 1) {
          tokens -= 1;
          return;
        }
        waitNanos = (long) Math.ceil((1 - tokens) / perSecond * 1e9);
        if (now + waitNanos > deadline) {
          throw new L2Exception(
              "rate limit of "
                  + perSecond
                  + " requests/s to "
                  + client.endpoint()
                  + " reached (shared by every rollup on this endpoint)");
        }
      }
      try {
        Thread.sleep(Math.max(1, waitNanos / 1_000_000), (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new L2Exception("interrupted while waiting for the L2 rate limit");
      }
    }
  }
}

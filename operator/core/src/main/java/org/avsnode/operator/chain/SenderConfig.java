package org.avsnode.operator.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link TransactionSender} prices and follows transactions.
 *
 * @param bumpAfterBlocks resubmit with higher fees after this many new blocks without a receipt
 * @param bumpPercent fee increase per resubmission in percent, at least 12.5 (nodes demand 10%)
 * @param receiptTimeout give up waiting for a receipt after this long
 * @param pollInterval how often to look for the receipt
 * @param maxFeeCap never offer more than this max fee per gas (null: no cap)
 * @param fallbackPriorityFee tip used when the node cannot suggest one
 */
public record SenderConfig(
    int bumpAfterBlocks,
    double bumpPercent,
    Duration receiptTimeout,
    Duration pollInterval,
    BigInteger maxFeeCap,
    BigInteger fallbackPriorityFee) {
  public static final SenderConfig DEFAULT =
      new SenderConfig(
          3,
          12.5,
          Duration.ofMinutes(5),
          Duration.ofSeconds(1),
          null,
          BigInteger.valueOf(1_000_000_000L));

  public SenderConfig {
    if (bumpAfterBlocks < 1) {
      throw new IllegalArgumentException("bumpAfterBlocks must be at least 1");
    }
    if (!(bumpPercent >= 12.5)) {
      throw new IllegalArgumentException("bumpPercent must be at least 12.5");
    }
    Objects.requireNonNull(receiptTimeout, "receiptTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(fallbackPriorityFee, "fallbackPriorityFee");
  }

  public SenderConfig withBumpAfterBlocks(int blocks) {
    return new SenderConfig(
        blocks, bumpPercent, receiptTimeout, pollInterval, maxFeeCap, fallbackPriorityFee);
  }

  public SenderConfig withTimeouts(Duration receiptTimeout, Duration pollInterval) {
    return new SenderConfig(
        bumpAfterBlocks, bumpPercent, receiptTimeout, pollInterval, maxFeeCap, fallbackPriorityFee);
  }
}

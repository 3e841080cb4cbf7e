package org.avsnode.operator.quorum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.avsnode.bls.eip712.TypedMessage;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.operator.chain.L1Exception;

/**
 * An aggregator role's {@link Aggregator}s, one per stake epoch, created on the first message of
 * the epoch over the registry's operator set at that epoch, the oldest closed beyond {@code
 * maxEpochs}. Which epochs a message may name: not older than {@code maxEpochAge} epochs before the
 * current one, not after it; the epoch right after the current one is refused as retryable (this
 * aggregator's L1 view may lag the sender's), anything further ahead for good.
 */
public final class EpochAggregators<M extends TypedMessage> implements AutoCloseable {

  /** Makes the aggregator of an epoch (the role's listener and configuration). */
  public interface Factory<M extends TypedMessage> {
    Aggregator<M> create(long epoch, OperatorSetSnapshot snapshot);
  }

  private final LongSupplier currentEpoch;
  private final long maxEpochAge;
  private final LongFunction<OperatorSetSnapshot> operatorSetAt;
  private final int maxEpochs;
  private final Factory<M> factory;
  private final Map<Long, Aggregator<M>> byEpoch = new LinkedHashMap<>();
  private boolean closed;

  public EpochAggregators(
      LongSupplier currentEpoch,
      long maxEpochAge,
      LongFunction<OperatorSetSnapshot> operatorSetAt,
      int maxEpochs,
      Factory<M> factory) {
    this.currentEpoch = Objects.requireNonNull(currentEpoch, "currentEpoch");
    this.maxEpochAge = maxEpochAge;
    this.operatorSetAt = Objects.requireNonNull(operatorSetAt, "operatorSetAt");
    if (maxEpochs < 1) {
      throw new IllegalArgumentException("maxEpochs must be at least 1");
    }
    this.maxEpochs = maxEpochs;
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * Admits {@code message} into the aggregator of {@code epoch}; never throws for input. An epoch
   * that cannot be served now (L1 unreadable, one epoch ahead of this node's view) is {@link
   * RejectReason#CLOSED}, which a sender retries; a wrong one is {@link RejectReason#WRONG_EPOCH}.
   */
  public IntakeResult submit(SignedMessage<M> message, long epoch) {
    Aggregator<M> agg;
    try {
      agg = forEpoch(epoch);
    } catch (L1Exception e) {
      return IntakeResult.rejected(
          RejectReason.CLOSED, "the operator set at epoch " + epoch + " is unavailable now");
    } catch (AheadOfView e) {
      return IntakeResult.rejected(RejectReason.CLOSED, e.getMessage());
    } catch (IllegalArgumentException e) {
      return IntakeResult.rejected(RejectReason.WRONG_EPOCH, e.getMessage());
    }
    return agg.submit(message);
  }

  /**
   * The aggregator of {@code epoch}, made if needed.
   *
   * @throws AheadOfView for the epoch after this node's current one
   * @throws IllegalArgumentException for an epoch too far ahead or too old, or without stake
   * @throws L1Exception when the registry cannot be read
   */
  public Aggregator<M> forEpoch(long epoch) {
    synchronized (byEpoch) {
      if (closed) {
        throw new IllegalArgumentException("the aggregator is closed");
      }
      Aggregator<M> existing = byEpoch.get(epoch);
      if (existing != null) {
        return existing;
      }
      long cur = currentEpoch.getAsLong();
      if (epoch > cur + 1) {
        throw new IllegalArgumentException(
            "stakeEpoch " + epoch + " is in the future (current epoch " + cur + ")");
      }
      if (epoch > cur) {
        throw new AheadOfView(
            "stakeEpoch "
                + epoch
                + " is ahead of this aggregator's L1 view (epoch "
                + cur
                + "); try again");
      }
      if (cur - epoch > maxEpochAge) {
        throw new IllegalArgumentException(
            "stakeEpoch " + epoch + " is too old (current epoch " + cur + ")");
      }
      OperatorSetSnapshot snapshot = operatorSetAt.apply(epoch);
      if (snapshot.totalStake().signum() == 0) {
        throw new IllegalArgumentException("the operator set holds no stake at epoch " + epoch);
      }
      Aggregator<M> agg = factory.create(epoch, snapshot);
      byEpoch.put(epoch, agg);
      while (byEpoch.size() > maxEpochs) {
        Long oldest = byEpoch.keySet().iterator().next();
        byEpoch.remove(oldest).close();
      }
      return agg;
    }
  }

  /** The operator set of an epoch this role aggregates. */
  public Optional<OperatorSetSnapshot> snapshot(long epoch) {
    synchronized (byEpoch) {
      return Optional.ofNullable(byEpoch.get(epoch)).map(Aggregator::snapshot);
    }
  }

  /** The aggregators held now, oldest epoch first. */
  public List<Aggregator<M>> all() {
    synchronized (byEpoch) {
      return new ArrayList<>(byEpoch.values());
    }
  }

  @Override
  public void close() {
    synchronized (byEpoch) {
      closed = true;
      byEpoch.values().forEach(Aggregator::close);
      byEpoch.clear();
    }
  }

  /** A message of the epoch right after this node's current one. */
  public static final class AheadOfView extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AheadOfView(String message) {
      super(message, null, false, false);
    }
  }
}

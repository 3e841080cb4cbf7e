package org.avsnode.operator.registry;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.operator.chain.L1Exception;

/**
 * The operator's registration and stake at the current epoch, as the status page and {@code
 * operator status} show them: read from the registry ({@code currentEpoch}, {@code operatorSetAt})
 * at most once per {@link #MAX_AGE}; when a read fails, the last answer stays, with the error
 * beside it.
 */
public final class StakeView implements Supplier<Map<String, Object>> {
  /** How long one read is shown before the next. */
  public static final Duration MAX_AGE = Duration.ofSeconds(10);

  private final RegistryReader registry;
  private final Optional<String> operator;
  private final Clock clock;
  private Map<String, Object> last;
  private Instant readAt;

  public StakeView(RegistryReader registry, Optional<String> operator, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.operator = Objects.requireNonNull(operator, "operator");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized Map<String, Object> get() {
    Instant now = clock.instant();
    if (readAt != null && Duration.between(readAt, now).compareTo(MAX_AGE) < 0) {
      return last;
    }
    readAt = now;
    try {
      last = read();
    } catch (L1Exception | IllegalArgumentException e) {
      Map<String, Object> m = new LinkedHashMap<>(last == null ? Map.of() : last);
      m.put("error", "the registry could not be read: " + e.getMessage());
      last = m;
    }
    return last;
  }

  private Map<String, Object> read() {
    long epoch = registry.currentEpoch();
    OperatorSetSnapshot set = registry.operatorSetAt(epoch);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("operatorSetId", registry.operatorSetId());
    m.put("operators", set.size());
    BigInteger total = set.totalStake();
    m.put("totalStake", total.toString());
    m.put("totalStakeTokens", tokens(total));
    if (operator.isEmpty()) {
      m.put("registered", null);
      return m;
    }
    Optional<Integer> position = set.positionOf(RegistryReader.address(operator.get()));
    OperatorSetSnapshot.Operator op = position.map(set::operator).orElse(null);
    boolean active = op != null && op.active();
    m.put("registered", active);
    BigInteger stake = active ? op.stake() : BigInteger.ZERO;
    m.put("stake", stake.toString());
    m.put("stakeTokens", tokens(stake));
    m.put(
        "shareBps",
        total.signum() == 0
            ? 0
            : stake.multiply(BigInteger.valueOf(10_000)).divide(total).longValueExact());
    return m;
  }

  /** Wei as tokens of 18 decimals, e.g. {@code 32} or {@code 28.8}. */
  public static String tokens(BigInteger wei) {
    BigDecimal t = new BigDecimal(wei).movePointLeft(18).setScale(4, RoundingMode.DOWN);
    t = t.stripTrailingZeros();
    return t.scale() < 0 ? t.setScale(0).toPlainString() : t.toPlainString();
  }
}

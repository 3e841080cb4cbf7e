package org.avsnode.operator.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Listeners an embedding program (the devnet's console, a test) hands to the duties, keyed by the
 * listener interface a duty defines (MACH's {@code MachEvents}, for example). The node itself
 * registers none: {@code operator run} logs and exports metrics instead. A duty looks up its own
 * interface and falls back to a no-op.
 */
public final class DutyObservers {
  private static final DutyObservers NONE = new DutyObservers(Map.of());

  private final Map<Class<?>, Object> byType;

  private DutyObservers(Map<Class<?>, Object> byType) {
    this.byType = Map.copyOf(byType);
  }

  public static DutyObservers none() {
    return NONE;
  }

  /** These observers plus {@code observer} for {@code type} (replacing an earlier one). */
  public <T> DutyObservers with(Class<T> type, T observer) {
    Map<Class<?>, Object> m = new LinkedHashMap<>(byType);
    m.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(observer, "observer"));
    return new DutyObservers(m);
  }

  /** The observer registered for {@code type}, if any. */
  public <T> Optional<T> get(Class<T> type) {
    return Optional.ofNullable(byType.get(type)).map(type::cast);
  }
}

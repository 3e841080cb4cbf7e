package org.avsnode.operator.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How one duty asks another without importing it: the port is an interface in the core (e.g. {@link
 * OutputVerdicts}); the duty that can answer registers an implementation, the duty that asks looks
 * it up. One node-wide instance, shared by every duty's context. A duty looks a port up when it
 * needs it (not only at start: the other duty may start later) and treats an absent port as "that
 * duty is not enabled".
 */
public final class DutyPorts {
  private final Map<Class<?>, Object> ports = new ConcurrentHashMap<>();

  /**
   * Registers the implementation of {@code port}.
   *
   * @throws IllegalStateException if another implementation is registered already
   */
  public <T> void provide(Class<T> port, T implementation) {
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(implementation, "implementation");
    Object before = ports.putIfAbsent(port, implementation);
    if (before != null && before != implementation) {
      throw new IllegalStateException(port.getSimpleName() + " has a provider already");
    }
  }

  /** The registered implementation of {@code port}, if a duty provides it. */
  public <T> Optional<T> get(Class<T> port) {
    return Optional.ofNullable(ports.get(port)).map(port::cast);
  }
}

package org.avsnode.operator.spi;

import java.util.Objects;

/**
 * Health of a duty or of the node, as the EigenLayer node API reports it: {@code UP} (HTTP 200),
 * {@code PARTIAL} (206: working but degraded) and {@code DOWN} (503).
 *
 * @param status the state
 * @param detail a short human-readable reason, empty when up
 */
public record Health(Status status, String detail) {

  /** Health states, ordered from best to worst. */
  public enum Status {
    UP,
    PARTIAL,
    DOWN
  }

  public Health {
    Objects.requireNonNull(status, "status");
    detail = detail == null ? "" : detail;
  }

  public static Health up() {
    return new Health(Status.UP, "");
  }

  public static Health partial(String detail) {
    return new Health(Status.PARTIAL, detail);
  }

  public static Health down(String detail) {
    return new Health(Status.DOWN, detail);
  }

  /** The worse of two states; used to combine the duties' health into the node's. */
  public Health worst(Health other) {
    return other.status.compareTo(status) > 0 ? other : this;
  }
}

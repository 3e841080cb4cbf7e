package org.avsnode.operator.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What the node hands a duty: its configuration section and the injectable clock. Services
 * (protected signer, chain access, metrics) are added here as they land, so a duty never reaches
 * into the node's internals.
 *
 * @param config the duty's own configuration section (keys without the duty prefix)
 * @param clock the node's clock; duties never read the system clock directly
 */
public record DutyContext(Map<String, String> config, Clock clock) {
  public DutyContext {
    config = Map.copyOf(Objects.requireNonNull(config, "config"));
    Objects.requireNonNull(clock, "clock");
  }
}

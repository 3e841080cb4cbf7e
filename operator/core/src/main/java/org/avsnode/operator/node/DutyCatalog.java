package org.avsnode.operator.node;

import java.util.Map;
import org.avsnode.operator.spi.DutyFactory;

/**
 * The duty modules the node can run, by id. The binary fills it from the factories its duties'
 * Dagger modules contribute; tests bind their own.
 *
 * @param factories installed factories by id
 */
public record DutyCatalog(Map<String, DutyFactory> factories) {
  public DutyCatalog {
    factories = Map.copyOf(factories);
  }
}

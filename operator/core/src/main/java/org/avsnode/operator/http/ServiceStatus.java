package org.avsnode.operator.http;

import java.util.Objects;
import org.avsnode.operator.spi.Health;

/**
 * One backing service of the node as the EigenLayer node API lists it (a duty, the L1 client).
 *
 * @param id stable identifier used in {@code /eigen/node/services/{id}/health}
 * @param name short display name
 * @param description one line
 * @param health current health
 */
public record ServiceStatus(String id, String name, String description, Health health) {
  public ServiceStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    description = description == null ? "" : description;
    Objects.requireNonNull(health, "health");
  }
}

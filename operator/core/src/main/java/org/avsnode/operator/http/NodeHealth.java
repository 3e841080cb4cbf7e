package org.avsnode.operator.http;

import java.util.List;
import org.avsnode.operator.spi.Health;

/** The node's health as the API reports it; implemented by the runtime over its services. */
public interface NodeHealth {
  /** The node as a whole. */
  Health overall();

  /** Every backing service, in a stable order. */
  List<ServiceStatus> services();

  /** Maps a health state to the EigenLayer API's status code: 200, 206 or 503. */
  static int httpStatus(Health.Status status) {
    return switch (status) {
      case UP -> 200;
      case PARTIAL -> 206;
      case DOWN -> 503;
    };
  }

  /** The service {@code status} string in {@code /eigen/node/services}. */
  static String label(Health.Status status) {
    return switch (status) {
      case UP -> "Up";
      case PARTIAL -> "Partial";
      case DOWN -> "Down";
    };
  }
}

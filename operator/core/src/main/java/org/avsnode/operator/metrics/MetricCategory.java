package org.avsnode.operator.metrics;

import java.util.regex.Pattern;

/**
 * The first two parts of a metric name, {@code <prefix>_<category>_<name>}. The node's own
 * categories are in {@link StandardCategory}; a duty defines its own (e.g. prefix {@code avs},
 * category {@code mach}) without touching the core.
 */
public interface MetricCategory {
  Pattern PART = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

  /** {@code eigen} for the EigenLayer specification's metrics, {@code avs} for the node's own. */
  String prefix();

  /** The subsystem, e.g. {@code rpc}, {@code http}, {@code signer}. */
  String category();

  /** A category defined by a duty or a test. */
  static MetricCategory of(String prefix, String category) {
    check(prefix, "prefix");
    check(category, "category");
    return new MetricCategory() {
      @Override
      public String prefix() {
        return prefix;
      }

      @Override
      public String category() {
        return category;
      }

      @Override
      public String toString() {
        return prefix + "_" + category;
      }
    };
  }

  /** Checks one part of a metric name: lower case, digits and single underscores. */
  static String check(String part, String what) {
    if (part == null || !PART.matcher(part).matches()) {
      throw new IllegalArgumentException(
          "metric " + what + " '" + part + "' must match " + PART.pattern());
    }
    return part;
  }

  /** The full metric name. */
  static String fullName(MetricCategory category, String name) {
    return check(category.prefix(), "prefix")
        + "_"
        + check(category.category(), "category")
        + "_"
        + check(name, "name");
  }
}

package org.avsnode.operator.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.operator.chain.HeadTracker;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.http.RouteTable;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.SignerMetrics;

/**
 * What the node hands a duty: its configuration section, the injectable clock and the node's
 * services. A duty never reaches into the node's internals.
 *
 * @param config the duty's own configuration section (keys without the duty prefix)
 * @param clock the node's clock; duties never read the system clock directly
 * @param metrics the metrics façade; a duty names its metrics with its own category
 * @param signerMetrics where the protected signer reports signatures and refusals
 * @param routes where the duty mounts its HTTP endpoints
 * @param l1 L1 access, when the node is configured with an L1 endpoint
 * @param l1Head the L1 head tracker (head, confirmed head, reorgs), with {@code l1}
 */
public record DutyContext(
    Map<String, String> config,
    Clock clock,
    MetricsSystem metrics,
    SignerMetrics signerMetrics,
    HttpRoutes routes,
    Optional<L1Client> l1,
    Optional<HeadTracker> l1Head) {
  public DutyContext {
    config = Map.copyOf(Objects.requireNonNull(config, "config"));
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(signerMetrics, "signerMetrics");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(l1, "l1");
    Objects.requireNonNull(l1Head, "l1Head");
  }

  /**
   * A context with no L1, no metrics and a route table of its own (not served): for tests and tools
   * that run a duty outside the node.
   */
  public DutyContext(Map<String, String> config, Clock clock) {
    this(
        config,
        clock,
        new NoOpMetricsSystem(),
        SignerMetrics.NOOP,
        new RouteTable(),
        Optional.empty(),
        Optional.empty());
  }

  /** The same services with another duty's configuration section. */
  public DutyContext withConfig(Map<String, String> dutyConfig) {
    return new DutyContext(dutyConfig, clock, metrics, signerMetrics, routes, l1, l1Head);
  }
}

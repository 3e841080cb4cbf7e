package org.avsnode.operator.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.operator.chain.HeadTracker;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.http.RouteTable;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.NoOpMetricsSystem;

/**
 * What the node hands a duty: its configuration section, the injectable clock and the node's
 * services. The node owns the keys: a duty signs through {@link #signer()} (slashing-protected) and
 * sends L1 transactions through {@link #transactions()} (one nonce sequence for all duties); it
 * never sees key material or the slashing-protection database.
 *
 * @param config the duty's own configuration section (keys without the duty prefix)
 * @param clock the node's clock; duties never read the system clock directly
 * @param metrics the metrics façade; a duty names its metrics with its own category
 * @param routes where the duty mounts its HTTP endpoints
 * @param l1 L1 access, when the node is configured with an L1 endpoint
 * @param l1Head the L1 head tracker (head, confirmed head, reorgs), with {@code l1}
 * @param signer the node's protected BLS signer, scoped to this duty (its metrics carry the duty's
 *     id); present whenever the node runs duties
 * @param operator the operator's address (0x, 20 bytes), the ECDSA key's
 * @param transactions the node's L1 transaction sender, with {@code l1}
 * @param deployment the contract addresses of the deployment file, when configured
 * @param observers listeners an embedding program registered (none under {@code operator run})
 * @param ports the node-wide ports through which duties ask each other (one instance per node)
 * @param dataPath the node's data directory; a duty keeps its files under {@link
 *     #dutyDirectory(String)}
 */
public record DutyContext(
    Map<String, String> config,
    Clock clock,
    MetricsSystem metrics,
    HttpRoutes routes,
    Optional<L1Client> l1,
    Optional<HeadTracker> l1Head,
    Optional<DutySigner> signer,
    Optional<String> operator,
    Optional<TransactionSender> transactions,
    Optional<Deployment> deployment,
    DutyObservers observers,
    DutyPorts ports,
    Optional<java.nio.file.Path> dataPath) {
  public DutyContext {
    config = Map.copyOf(Objects.requireNonNull(config, "config"));
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(l1, "l1");
    Objects.requireNonNull(l1Head, "l1Head");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(transactions, "transactions");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(observers, "observers");
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(dataPath, "dataPath");
  }

  /**
   * A context with no L1, no keys, no metrics and a route table of its own (not served): for tests
   * and tools that run a duty outside the node.
   */
  public DutyContext(Map<String, String> config, Clock clock) {
    this(
        config,
        clock,
        new NoOpMetricsSystem(),
        new RouteTable(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        DutyObservers.none(),
        new DutyPorts(),
        Optional.empty());
  }

  /** The same services with another duty's configuration section and signer scope. */
  public DutyContext forDuty(Map<String, String> dutyConfig, Optional<DutySigner> dutySigner) {
    return new DutyContext(
        dutyConfig,
        clock,
        metrics,
        routes,
        l1,
        l1Head,
        dutySigner,
        operator,
        transactions,
        deployment,
        observers,
        ports,
        dataPath);
  }

  /** The signer; a duty that signs calls this in {@code start()}. */
  public DutySigner requireSigner(String dutyId) {
    return signer.orElseThrow(
        () -> new IllegalStateException(dutyId + " signs duty messages: the node has no BLS key"));
  }

  /**
   * The duty's own directory, {@code <data path>/duties/<dutyId>}, created if needed: where it
   * keeps state that must survive a restart (cursors, caches).
   */
  public java.nio.file.Path dutyDirectory(String dutyId) {
    java.nio.file.Path base =
        dataPath.orElseThrow(
            () -> new IllegalStateException(dutyId + " keeps state: the node has no data path"));
    java.nio.file.Path dir = base.resolve("duties").resolve(dutyId);
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    return dir;
  }

  /** L1 access; a duty that reads L1 calls this in {@code start()}. */
  public L1Client requireL1(String dutyId) {
    return l1.orElseThrow(
        () -> new IllegalStateException(dutyId + " needs the node's L1 endpoint (--l1-rpc-url)"));
  }
}

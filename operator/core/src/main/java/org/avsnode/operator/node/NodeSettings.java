package org.avsnode.operator.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.http.HttpServerConfig;

/**
 * Everything the node runtime needs, as an immutable value (the command line maps its options to
 * this; the runtime never sees Picocli).
 *
 * @param nodeName {@code node_name} in {@code /eigen/node}
 * @param nodeVersion {@code node_version} in {@code /eigen/node}
 * @param dataPath the node's directory (admin token, databases)
 * @param http where the API listens
 * @param adminTokenFile the admin token file; empty: {@code <dataPath>/admin-token}, created
 * @param metricsEnabled serve {@code /metrics} and collect
 * @param l1RpcUrl L1 JSON-RPC endpoint; empty: no L1 access
 * @param l1ChainId the chain the endpoint must serve; empty: accept and log what it serves
 * @param l1Confirmations blocks on top before a block counts as confirmed
 * @param l1PollInterval head polling interval
 * @param l1RequestTimeout timeout of one JSON-RPC request
 * @param l1Retry retries of transient L1 faults
 * @param duties enabled duty ids (may be empty)
 * @param dutyConfig each duty's configuration section, by duty id
 */
public record NodeSettings(
    String nodeName,
    String nodeVersion,
    Path dataPath,
    HttpServerConfig http,
    Optional<Path> adminTokenFile,
    boolean metricsEnabled,
    Optional<String> l1RpcUrl,
    OptionalLong l1ChainId,
    int l1Confirmations,
    Duration l1PollInterval,
    Duration l1RequestTimeout,
    RetryPolicy l1Retry,
    Set<String> duties,
    Map<String, Map<String, String>> dutyConfig) {
  public NodeSettings {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(nodeVersion, "nodeVersion");
    Objects.requireNonNull(dataPath, "dataPath");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(adminTokenFile, "adminTokenFile");
    Objects.requireNonNull(l1RpcUrl, "l1RpcUrl");
    Objects.requireNonNull(l1ChainId, "l1ChainId");
    if (l1Confirmations < 0) {
      throw new IllegalArgumentException("L1 confirmations must not be negative");
    }
    Objects.requireNonNull(l1PollInterval, "l1PollInterval");
    Objects.requireNonNull(l1RequestTimeout, "l1RequestTimeout");
    Objects.requireNonNull(l1Retry, "l1Retry");
    duties = Set.copyOf(duties);
    dutyConfig = Map.copyOf(dutyConfig);
  }

  /** Defaults for everything but the data path: loopback API on a free port, no L1, no duty. */
  public static NodeSettings defaults(Path dataPath) {
    return new NodeSettings(
        "avs-operator",
        "unknown",
        dataPath,
        HttpServerConfig.loopback(0),
        Optional.empty(),
        true,
        Optional.empty(),
        OptionalLong.empty(),
        12,
        Duration.ofSeconds(2),
        Duration.ofSeconds(10),
        RetryPolicy.DEFAULT,
        Set.of(),
        Map.of());
  }
}

package org.avsnode.operator.metrics;

import java.util.Map;
import java.util.Objects;

/**
 * The node's standard metrics, created once on a {@link MetricsSystem}: the EigenLayer AVS node
 * specification's {@code eigen_*} metrics and the node's {@code avs_*} counters.
 */
public final class NodeMetrics implements SignerMetrics {
  private final MetricsSystem system;
  private final Labelled<Gauge> performanceScore;
  private final Labelled<Gauge> registeredStakes;
  private final Labelled<Histogram> rpcDuration;
  private final Labelled<Counter> rpcRequests;
  private final Labelled<Counter> rpcErrors;
  private final Labelled<Counter> httpRequests;
  private final Labelled<Counter> httpRejected;
  private final Labelled<Counter> signatures;
  private final Labelled<Counter> refusals;
  private final Labelled<Gauge> chainHead;
  private final Labelled<Gauge> chainConfirmed;
  private final Labelled<Counter> reorgs;
  private final Labelled<Counter> transactions;

  public NodeMetrics(MetricsSystem system) {
    this.system = Objects.requireNonNull(system, "system");
    performanceScore =
        system.gauge(
            StandardCategory.EIGEN_PERFORMANCE,
            "score",
            "Node performance 0-100: the mean of the services' health (up 100, partial 50, down 0)");
    registeredStakes =
        system.gauge(
            StandardCategory.EIGEN_REGISTERED,
            "stakes",
            "Operator stake registered in the AVS registry, per quorum (operator set)",
            "quorum_number",
            "quorum_name");
    rpcDuration =
        system.histogram(
            StandardCategory.EIGEN_RPC,
            "request_duration_seconds",
            "Duration of JSON-RPC requests to the L1 execution client",
            MetricsSystem.DURATION_BUCKETS,
            "method",
            "client_version");
    rpcRequests =
        system.counter(
            StandardCategory.EIGEN_RPC,
            "request_total",
            "JSON-RPC requests sent to the L1 execution client",
            "method",
            "client_version");
    rpcErrors =
        system.counter(
            StandardCategory.RPC,
            "errors_total",
            "Failed L1 JSON-RPC requests by kind (timeout, connection, http_5xx, http_4xx,"
                + " malformed, rpc_error)",
            "kind");
    httpRequests =
        system.counter(
            StandardCategory.HTTP,
            "requests_total",
            "HTTP requests served, by route and status",
            "path",
            "status");
    httpRejected =
        system.counter(
            StandardCategory.HTTP,
            "rejected_total",
            "HTTP requests rejected before reaching a handler, by reason",
            "reason");
    signatures =
        system.counter(
            StandardCategory.SIGNER,
            "signatures_total",
            "Signing outcomes after the slashing check passed",
            "duty",
            "result");
    refusals =
        system.counter(
            StandardCategory.SIGNER,
            "refusals_total",
            "Signing requests refused by slashing protection or a safety rule",
            "duty",
            "reason");
    chainHead = system.gauge(StandardCategory.CHAIN, "head_block", "Latest L1 block number seen");
    chainConfirmed =
        system.gauge(
            StandardCategory.CHAIN,
            "confirmed_block",
            "Latest L1 block number with the configured confirmations");
    reorgs = system.counter(StandardCategory.CHAIN, "reorgs_total", "L1 reorgs detected");
    transactions =
        system.counter(
            StandardCategory.CHAIN,
            "transactions_total",
            "L1 transactions by outcome (sent, replaced, mined, reverted, timeout)",
            "outcome");
  }

  public MetricsSystem system() {
    return system;
  }

  public void performanceScore(double score) {
    performanceScore.labels().set(Math.max(0, Math.min(100, score)));
  }

  /**
   * Sets {@code eigen_registered_stakes}; quorum name may be empty (the spec makes it optional).
   */
  public void registeredStake(int quorumNumber, String quorumName, double stake) {
    registeredStakes.labels(Integer.toString(quorumNumber), quorumName).set(stake);
  }

  /** Sets every known quorum's stake at once. */
  public void registeredStakes(Map<Integer, Double> stakeByQuorum) {
    stakeByQuorum.forEach((q, s) -> registeredStake(q, "", s));
  }

  public void rpcRequest(String method, String clientVersion, double seconds) {
    rpcRequests.labels(method, clientVersion).inc();
    rpcDuration.labels(method, clientVersion).observe(seconds);
  }

  public void rpcError(String kind) {
    rpcErrors.labels(kind).inc();
  }

  public void httpRequest(String pathTemplate, int status) {
    httpRequests.labels(pathTemplate, Integer.toString(status)).inc();
  }

  public void httpRejected(String reason) {
    httpRejected.labels(reason).inc();
  }

  @Override
  public void signature(String duty, String result) {
    signatures.labels(duty, result).inc();
  }

  @Override
  public void refusal(String duty, String reason) {
    refusals.labels(duty, reason).inc();
  }

  public void chainHead(long head, long confirmed) {
    chainHead.labels().set(head);
    chainConfirmed.labels().set(confirmed);
  }

  public void reorg() {
    reorgs.labels().inc();
  }

  public void transaction(String outcome) {
    transactions.labels(outcome).inc();
  }
}

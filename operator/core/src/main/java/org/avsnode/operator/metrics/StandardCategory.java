package org.avsnode.operator.metrics;

/** The node's metric categories. */
public enum StandardCategory implements MetricCategory {
  /** {@code eigen_performance_*}: EigenLayer AVS node specification. */
  EIGEN_PERFORMANCE("eigen", "performance"),
  /** {@code eigen_rpc_*}: EigenLayer AVS node specification. */
  EIGEN_RPC("eigen", "rpc"),
  /** {@code eigen_registered_*}: EigenLayer AVS node specification. */
  EIGEN_REGISTERED("eigen", "registered"),
  SIGNER("avs", "signer"),
  RPC("avs", "rpc"),
  HTTP("avs", "http"),
  CHAIN("avs", "chain"),
  NODE("avs", "node");

  private final String prefix;
  private final String category;

  StandardCategory(String prefix, String category) {
    this.prefix = prefix;
    this.category = category;
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public String category() {
    return category;
  }
}

package org.avsnode.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusMetricsSystemTest {
  private final PrometheusMetricsSystem system = new PrometheusMetricsSystem(false);

  @Test
  void countersAreNamedPrefixCategoryNameAndEndInTotal() {
    Labelled<Counter> c =
        system.counter(StandardCategory.HTTP, "requests_total", "help", "path", "status");
    c.labels("/eigen/node", "200").inc();
    c.labels("/eigen/node", "200").inc(2);
    c.labels("unmatched", "404").inc();
    String text = system.scrape().orElseThrow();
    assertThat(text)
        .contains("# TYPE avs_http_requests_total counter")
        .contains("avs_http_requests_total{path=\"/eigen/node\",status=\"200\",} 3.0")
        .contains("avs_http_requests_total{path=\"unmatched\",status=\"404\",} 1.0");
  }

  @Test
  void counterNamesWithoutTotalAndMalformedNamesAreRefused() {
    assertThatThrownBy(() -> system.counter(StandardCategory.HTTP, "requests", "h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("_total");
    assertThatThrownBy(() -> system.gauge(StandardCategory.HTTP, "Bad-Name", "h"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> system.gauge(MetricCategory.of("avs", "x"), "ok", "h", "bad label"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MetricCategory.of("Avs", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSameMetricTwiceIsSharedButAConflictingOneIsRefused() {
    Labelled<Counter> a = system.counter(StandardCategory.RPC, "errors_total", "h", "kind");
    Labelled<Counter> b = system.counter(StandardCategory.RPC, "errors_total", "h", "kind");
    a.labels("timeout").inc();
    b.labels("timeout").inc();
    assertThat(system.scrape().orElseThrow())
        .contains("avs_rpc_errors_total{kind=\"timeout\",} 2.0");
    assertThatThrownBy(() -> system.counter(StandardCategory.RPC, "errors_total", "h", "other"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> system.gauge(StandardCategory.RPC, "errors_total", "h", "kind"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wrongLabelCountAndNegativeIncrementsAreRefused() {
    Labelled<Counter> c = system.counter(StandardCategory.SIGNER, "x_total", "h", "duty");
    assertThatThrownBy(() -> c.labels()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.labels("a", "b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.labels("a").inc(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gaugesAndHistograms() {
    system.gauge(StandardCategory.EIGEN_PERFORMANCE, "score", "h").labels().set(87.5);
    Labelled<Histogram> h =
        system.histogram(
            StandardCategory.EIGEN_RPC, "request_duration_seconds", "h", null, "method");
    h.labels("eth_chainId").observe(0.003);
    try (Histogram.Timer t = h.labels("eth_call").startTimer()) {
      assertThat(t).isNotNull();
    }
    String text = system.scrape().orElseThrow();
    assertThat(text)
        .contains("eigen_performance_score 87.5")
        .contains("eigen_rpc_request_duration_seconds_count{method=\"eth_chainId\",} 1.0")
        .contains(
            "eigen_rpc_request_duration_seconds_bucket{method=\"eth_chainId\",le=\"0.005\",} 1.0")
        .contains("eigen_rpc_request_duration_seconds_count{method=\"eth_call\",} 1.0");
  }

  @Test
  void jvmMetricsAreExportedWhenAsked() {
    assertThat(new PrometheusMetricsSystem(true).scrape().orElseThrow())
        .contains("jvm_memory_bytes_used");
  }

  @Test
  void nodeMetricsUseTheEigenLayerNamesAndLabels() {
    NodeMetrics m = new NodeMetrics(system);
    m.performanceScore(150);
    m.registeredStake(0, "ethLST", 32.5);
    m.rpcRequest("eth_getBlockByNumber", "anvil/v1.7.1", 0.01);
    m.rpcError("timeout");
    m.signature("mach", SignerMetrics.RESULT_SIGNED);
    m.refusal("mach", "double_vote");
    m.httpRejected("too_large");
    String text = system.scrape().orElseThrow();
    assertThat(text)
        .contains("eigen_performance_score 100.0")
        .contains("eigen_registered_stakes{quorum_number=\"0\",quorum_name=\"ethLST\",} 32.5")
        .contains(
            "eigen_rpc_request_total{method=\"eth_getBlockByNumber\",client_version=\"anvil/v1.7.1\",} 1.0")
        .contains("eigen_rpc_request_duration_seconds_count{method=\"eth_getBlockByNumber\"")
        .contains("avs_rpc_errors_total{kind=\"timeout\",} 1.0")
        .contains("avs_signer_signatures_total{duty=\"mach\",result=\"signed\",} 1.0")
        .contains("avs_signer_refusals_total{duty=\"mach\",reason=\"double_vote\",} 1.0")
        .contains("avs_http_rejected_total{reason=\"too_large\",} 1.0");
  }

  @Test
  void theNoOpSystemChecksNamesAndCollectsNothing() {
    NoOpMetricsSystem noop = new NoOpMetricsSystem();
    noop.counter(StandardCategory.HTTP, "a_total", "h", "x").labels("1").inc();
    noop.gauge(StandardCategory.HTTP, "g", "h").labels().set(1);
    noop.histogram(StandardCategory.HTTP, "h", "h", null).labels().observe(1);
    assertThat(noop.enabled()).isFalse();
    assertThat(noop.scrape()).isEmpty();
    assertThatThrownBy(() -> noop.counter(StandardCategory.HTTP, "a", "h"))
        .isInstanceOf(IllegalArgumentException.class);
    new NodeMetrics(noop).signature("mach", "signed");
  }
}

package org.avsnode.operator.chain;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.ServerSocket;
import java.time.Duration;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fault injection with WireMock (the only thing WireMock is used for): transient faults are
 * retried, deterministic ones are not, every failure is a typed {@link L1Exception} and counted.
 */
class L1ClientFaultsIT {
  private static final RetryPolicy RETRY =
      new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(80));

  private WireMockServer wm;
  private PrometheusMetricsSystem metrics;
  private L1Client client;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    metrics = new PrometheusMetricsSystem(false);
    client =
        L1Client.http(
            "http://127.0.0.1:" + wm.port() + "/rpc",
            Duration.ofSeconds(3),
            RETRY,
            new NodeMetrics(metrics));
  }

  @AfterEach
  void stop() {
    client.close();
    wm.stop();
  }

  private void answer(String method, String json) {
    wm.stubFor(
        post(urlEqualTo("/rpc"))
            .withRequestBody(matchingJsonPath("$.method", equalTo(method)))
            .willReturn(aResponse().withStatus(200).withBody(json)));
  }

  private int requests(String method) {
    return wm.countRequestsMatching(
            postRequestedFor(urlEqualTo("/rpc"))
                .withRequestBody(matchingJsonPath("$.method", equalTo(method)))
                .build())
        .getCount();
  }

  private String scrape() {
    return metrics.scrape().orElseThrow();
  }

  @Test
  void transient5xxIsRetriedUntilItSucceeds() {
    String s = "flaky";
    wm.stubFor(
        post(urlEqualTo("/rpc"))
            .inScenario(s)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(502).withBody("bad gateway"))
            .willSetStateTo("second"));
    wm.stubFor(
        post(urlEqualTo("/rpc"))
            .inScenario(s)
            .whenScenarioStateIs("second")
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("ok"));
    wm.stubFor(
        post(urlEqualTo("/rpc"))
            .inScenario(s)
            .whenScenarioStateIs("ok")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7a69\"}")));
    assertThat(client.chainId()).isEqualTo(31337);
    assertThat(requests("eth_chainId")).isEqualTo(3);
    assertThat(scrape())
        .contains("avs_rpc_errors_total{kind=\"http_5xx\",} 2.0")
        .contains(
            "eigen_rpc_request_total{method=\"eth_chainId\",client_version=\"unknown\",} 3.0");
  }

  @Test
  void persistent5xxGivesUpAfterTheRetriesWithAClearError() {
    wm.stubFor(post(urlEqualTo("/rpc")).willReturn(aResponse().withStatus(500)));
    assertThatThrownBy(client::blockNumber)
        .isInstanceOfSatisfying(
            L1Exception.class,
            e -> {
              assertThat(e.kind()).isEqualTo(L1Exception.Kind.UNAVAILABLE);
              assertThat(e.method()).isEqualTo("eth_blockNumber");
            })
        .hasMessageContaining("HTTP 500")
        .hasMessageContaining("after 3 attempts");
    assertThat(requests("eth_blockNumber")).isEqualTo(3);
    assertThat(scrape()).contains("avs_rpc_errors_total{kind=\"http_5xx\",} 3.0");
  }

  @Test
  void timeoutsAreRetriedThenReported() {
    wm.stubFor(
        post(urlEqualTo("/rpc"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withFixedDelay(1500)
                    .withBody("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}")));
    PrometheusMetricsSystem m = new PrometheusMetricsSystem(false);
    try (L1Client impatient =
        L1Client.http(
            "http://127.0.0.1:" + wm.port() + "/rpc",
            Duration.ofMillis(250),
            RETRY,
            new NodeMetrics(m))) {
      assertThatThrownBy(impatient::blockNumber)
          .isInstanceOfSatisfying(
              L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.UNAVAILABLE))
          .hasMessageContaining("timed out");
    }
    assertThat(m.scrape().orElseThrow()).contains("avs_rpc_errors_total{kind=\"timeout\",} 3.0");
  }

  @Test
  void garbageIsAMalformedAnswerAndNotRetried() {
    answer("eth_chainId", "<html>502 from the proxy</html>");
    assertThatThrownBy(client::chainId)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED))
        .hasMessageContaining("not valid JSON-RPC");
    assertThat(requests("eth_chainId")).isEqualTo(1);
    assertThat(scrape()).contains("avs_rpc_errors_total{kind=\"malformed\",} 1.0");
  }

  @Test
  void wrongTypesAndMissingFieldsAreMalformedAnswers() {
    answer("eth_chainId", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"not-hex\"}");
    assertThatThrownBy(client::chainId)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    answer(
        "eth_getBlockByNumber", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x5\"}}");
    assertThatThrownBy(client::latest)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    answer("eth_blockNumber", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[1,2]}");
    assertThatThrownBy(client::blockNumber)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    answer("eth_getTransactionCount", "{\"jsonrpc\":\"2.0\",\"id\":1}");
    assertThatThrownBy(() -> client.pendingNonce("0x" + "11".repeat(20)))
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    assertThat(scrape()).contains("avs_rpc_errors_total{kind=\"malformed\",} 4.0");
  }

  /**
   * Found by the 30-minute chaos run: a garbled {@code eth_chainId} answer that decoded as a
   * 20-byte number made {@code operator run} exit 1 with "BigInteger out of long range".
   */
  @Test
  void quantitiesOutOfRangeAreMalformedAnswers() {
    String huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x" + "ff".repeat(20) + "\"}";
    answer("eth_chainId", huge);
    assertThatThrownBy(client::chainId)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED))
        .hasMessageContaining("eth_chainId");
    assertThatThrownBy(() -> client.verifyChainId(31337))
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    answer("eth_blockNumber", huge);
    assertThatThrownBy(client::blockNumber)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    answer(
        "eth_getBlockByNumber",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x"
            + "ff".repeat(20)
            + "\",\"hash\":\"0x"
            + "11".repeat(32)
            + "\",\"parentHash\":\"0x"
            + "22".repeat(32)
            + "\",\"timestamp\":\"0x1\"}}");
    assertThatThrownBy(client::latest)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.MALFORMED));
    assertThat(scrape()).contains("avs_rpc_errors_total{kind=\"malformed\",} 4.0");
  }

  @Test
  void aJsonRpcErrorIsTypedAndNotRetried() {
    answer(
        "eth_estimateGas",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":\"execution reverted\","
            + "\"data\":\"0x08c379a0\"}}");
    assertThatThrownBy(
            () -> client.estimateGas("0x" + "11".repeat(20), "0x" + "22".repeat(20), null, "0x"))
        .isInstanceOfSatisfying(
            L1RpcErrorException.class,
            e -> {
              assertThat(e.code()).isEqualTo(3);
              assertThat(e.isReverted()).isTrue();
              assertThat(e.data()).isEqualTo("0x08c379a0");
            })
        .hasMessageContaining("execution reverted");
    assertThat(requests("eth_estimateGas")).isEqualTo(1);
    assertThat(scrape()).contains("avs_rpc_errors_total{kind=\"rpc_error\",} 1.0");
  }

  @Test
  void aWrongChainIdIsRefusedWithOneClearLine() {
    answer("eth_chainId", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
    assertThatThrownBy(() -> client.verifyChainId(31337))
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.WRONG_CHAIN))
        .hasMessage(
            "L1 endpoint http://127.0.0.1:" + wm.port() + " serves chain id 1, expected 31337");
    assertThat(scrape()).contains("avs_rpc_errors_total{kind=\"wrong_chain\",} 1.0");
  }

  @Test
  void clientErrorsOtherThan429AreNotRetried() {
    wm.stubFor(post(urlEqualTo("/rpc")).willReturn(aResponse().withStatus(401)));
    assertThatThrownBy(client::chainId)
        .isInstanceOfSatisfying(
            L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.HTTP_ERROR))
        .hasMessageContaining("HTTP 401");
    assertThat(requests("eth_chainId")).isEqualTo(1);
  }

  @Test
  void aRefusedConnectionIsRetriedThenReported() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    PrometheusMetricsSystem m = new PrometheusMetricsSystem(false);
    try (L1Client c =
        L1Client.http(
            "http://127.0.0.1:" + closedPort, Duration.ofMillis(400), RETRY, new NodeMetrics(m))) {
      assertThatThrownBy(c::chainId)
          .isInstanceOfSatisfying(
              L1Exception.class, e -> assertThat(e.kind()).isEqualTo(L1Exception.Kind.UNAVAILABLE))
          .hasMessageContaining("connection refused");
    }
    assertThat(m.scrape().orElseThrow()).contains("avs_rpc_errors_total{kind=\"connection\",} 3.0");
  }

  @Test
  void credentialsInTheUrlNeverReachMessages() {
    assertThat(L1Client.redact("https://user:secret@rpc.example/v2/key?apikey=abc"))
        .isEqualTo("https://rpc.example");
    // providers put the key in the path: only scheme, host and port are ever printed
    assertThat(L1Client.redact("http://127.0.0.1:8545/v3/SuperSecretPath"))
        .isEqualTo("http://127.0.0.1:8545");
  }
}

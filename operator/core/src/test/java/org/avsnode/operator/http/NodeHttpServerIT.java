package org.avsnode.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP server with real requests on a discovered loopback port. */
class NodeHttpServerIT {
  private static final String TOKEN = "test-admin-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final PrometheusMetricsSystem metrics = new PrometheusMetricsSystem(false);
  private volatile Health overall = Health.up();
  private final List<ServiceStatus> services = new ArrayList<>();
  private NodeHttpServer server;
  private String base;

  @BeforeEach
  void start() throws Exception {
    RouteTable routes = new RouteTable();
    NodeHealth health =
        new NodeHealth() {
          @Override
          public Health overall() {
            return overall;
          }

          @Override
          public List<ServiceStatus> services() {
            return services;
          }
        };
    new NodeApi("avs-operator", "1.2.3", health, metrics, LogLevelControl.UNSUPPORTED)
        .install(routes);
    routes.post("/v1/echo", 16, r -> RouteResponse.ok(Map.of("echo", r.bodyText())));
    routes.get(
        "/v1/items/{id}",
        r -> {
          if (r.pathParam("id").equals("bad")) {
            throw HttpStatusException.badRequest("id must be a number");
          }
          if (r.pathParam("id").equals("boom")) {
            throw new IllegalStateException("secret internal detail");
          }
          return RouteResponse.ok(Map.of("id", r.pathParam("id")));
        });
    server =
        new NodeHttpServer(
            HttpServerConfig.loopback(0), routes, AdminToken.of(TOKEN), new NodeMetrics(metrics));
    server.start();
    base = server.baseUrl();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(body);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void bindsToLoopbackOnADiscoveredPort() {
    assertThat(server.port()).isPositive();
    assertThat(base).isEqualTo("http://127.0.0.1:" + server.port());
  }

  @Test
  void eigenNodeApi() throws Exception {
    HttpResponse<String> node = get("/eigen/node");
    assertThat(node.statusCode()).isEqualTo(200);
    assertThat(node.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(json(node).get("node_version").asText()).isEqualTo("1.2.3");
    assertThat(get("/eigen/node/health").statusCode()).isEqualTo(200);
    overall = Health.partial("l1 slow");
    assertThat(get("/eigen/node/health").statusCode()).isEqualTo(206);
    overall = Health.down("no duty enabled");
    HttpResponse<String> down = get("/eigen/node/health");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(json(down).get("detail").asText()).isEqualTo("no duty enabled");
    services.add(new ServiceStatus("mach", "duty mach", "MACH", Health.partial("lagging")));
    assertThat(json(get("/eigen/node/services")).get("services").get(0).get("status").asText())
        .isEqualTo("Partial");
    assertThat(get("/eigen/node/services/mach/health").statusCode()).isEqualTo(206);
    HttpResponse<String> unknown = get("/eigen/node/services/nope/health");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("error").asText()).contains("nope");
    assertThat(get("/eigen/node?version=9.9.9").statusCode()).isEqualTo(404);
  }

  @Test
  void unknownPathsMethodsAndRouteErrorsAreJson() throws Exception {
    HttpResponse<String> missing = get("/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).get("error").asText()).isEqualTo("no such endpoint");
    HttpResponse<String> wrongMethod = get("/v1/echo");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
    assertThat(json(get("/v1/items/7")).get("id").asText()).isEqualTo("7");
    HttpResponse<String> bad = get("/v1/items/bad");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("error").asText()).isEqualTo("id must be a number");
    HttpResponse<String> boom = get("/v1/items/boom");
    assertThat(boom.statusCode()).isEqualTo(500);
    assertThat(boom.body()).doesNotContain("secret");
  }

  @Test
  void bodiesOverTheLimitAre413AndCounted() throws Exception {
    HttpResponse<String> ok =
        post("/v1/echo", HttpRequest.BodyPublishers.ofString("0123456789abcdef"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).get("echo").asText()).isEqualTo("0123456789abcdef");
    HttpResponse<String> big =
        post("/v1/echo", HttpRequest.BodyPublishers.ofString("0123456789abcdefX"));
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(json(big).get("error").asText()).contains("16 bytes");
    // chunked, no Content-Length: the limit holds while reading
    HttpResponse<String> chunked =
        post(
            "/v1/echo",
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(new byte[100_000])));
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(metrics.scrape().orElseThrow())
        .contains("avs_http_rejected_total{reason=\"too_large\",} 2.0")
        .contains("avs_http_requests_total{path=\"/v1/echo\",status=\"413\",} 2.0")
        .contains("avs_http_requests_total{path=\"/v1/echo\",status=\"200\",} 1.0");
  }

  @Test
  void adminEndpointsNeedTheBearerToken() throws Exception {
    services.add(new ServiceStatus("mach", "duty mach", "MACH", Health.up()));
    assertThat(get("/admin/duties").statusCode()).isEqualTo(401);
    HttpResponse<String> wrong =
        get("/admin/duties", "Authorization", "Bearer wrong-token-123456789");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("www-authenticate")).hasValue("Bearer");
    HttpResponse<String> ok = get("/admin/duties", "Authorization", "Bearer " + TOKEN);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).get("services").get(0).get("id").asText()).isEqualTo("mach");
    HttpResponse<String> level =
        post(
            "/admin/log-level",
            HttpRequest.BodyPublishers.ofString("{\"level\":\"DEBUG\"}"),
            "Authorization",
            "Bearer " + TOKEN);
    assertThat(level.statusCode()).isEqualTo(501);
    assertThat(metrics.scrape().orElseThrow())
        .contains("avs_http_rejected_total{reason=\"unauthorized\",} 2.0");
  }

  @Test
  void metricsInPrometheusTextFormat() throws Exception {
    get("/eigen/node");
    HttpResponse<String> m = get("/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    assertThat(m.body())
        .contains("avs_http_requests_total{path=\"/eigen/node\",status=\"200\",} 1.0");
  }
}

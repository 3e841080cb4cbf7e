package org.avsnode.operator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.junit.jupiter.api.Test;

class NodeApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Health overall = Health.up();
  private final List<ServiceStatus> services = new ArrayList<>();
  private final List<String> levelsSet = new ArrayList<>();

  private final NodeApi api =
      new NodeApi(
          "avs-operator",
          "0.1.0",
          new NodeHealth() {
            @Override
            public Health overall() {
              return overall;
            }

            @Override
            public List<ServiceStatus> services() {
              return services;
            }
          },
          new NoOpMetricsSystem(),
          (logger, level) -> {
            if (!level.equals("DEBUG") && !level.equals("INFO")) {
              throw new IllegalArgumentException("unknown level " + level);
            }
            levelsSet.add(logger + "=" + level);
          });

  private static RouteRequest get(String path, Map<String, String> params, String version) {
    return new RouteRequest(
        "GET",
        path,
        params,
        version == null ? Map.of() : Map.of("version", List.of(version)),
        Map.of(),
        null);
  }

  private static JsonNode json(RouteResponse r) throws Exception {
    return JSON.readTree(new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void nodeIdentity() throws Exception {
    JsonNode n = json(api.node(get("/eigen/node", Map.of(), null)));
    assertThat(n.get("node_name").asText()).isEqualTo("avs-operator");
    assertThat(n.get("spec_version").asText()).isEqualTo("v0.0.1");
    assertThat(n.get("node_version").asText()).isEqualTo("0.1.0");
    assertThat(api.node(get("/eigen/node", Map.of(), "0.0.1")).status()).isEqualTo(200);
    assertThatThrownBy(() -> api.node(get("/eigen/node", Map.of(), "0.0.2")))
        .isInstanceOfSatisfying(
            HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void nodeHealthFollowsTheOverallHealth() {
    RouteRequest req = get("/eigen/node/health", Map.of(), null);
    assertThat(api.nodeHealth(req).status()).isEqualTo(200);
    overall = Health.partial("mach=PARTIAL");
    assertThat(api.nodeHealth(req).status()).isEqualTo(206);
    overall = Health.down("no duty enabled");
    assertThat(api.nodeHealth(req).status()).isEqualTo(503);
  }

  @Test
  void servicesAndTheirHealth() throws Exception {
    services.add(new ServiceStatus("mach", "duty mach", "fast finality", Health.up()));
    services.add(new ServiceStatus("l1", "L1 client", "L1", Health.down("timeout")));
    JsonNode list = json(api.services(get("/eigen/node/services", Map.of(), null)));
    assertThat(list.get("services")).hasSize(2);
    assertThat(list.get("services").get(0).get("id").asText()).isEqualTo("mach");
    assertThat(list.get("services").get(0).get("status").asText()).isEqualTo("Up");
    assertThat(list.get("services").get(1).get("status").asText()).isEqualTo("Down");
    assertThat(list.get("services").get(0).get("description").asText()).isEqualTo("fast finality");
    String p = "/eigen/node/services/{id}/health";
    assertThat(api.serviceHealth(get(p, Map.of("id", "mach"), null)).status()).isEqualTo(200);
    assertThat(api.serviceHealth(get(p, Map.of("id", "l1"), null)).status()).isEqualTo(503);
    assertThatThrownBy(() -> api.serviceHealth(get(p, Map.of("id", "nope"), null)))
        .isInstanceOfSatisfying(
            HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void logLevelValidatesItsBody() {
    RouteRequest ok =
        new RouteRequest(
            "POST",
            "/admin/log-level",
            Map.of(),
            Map.of(),
            Map.of(),
            "{\"logger\":\"org.avsnode\",\"level\":\"DEBUG\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(api.logLevel(ok).status()).isEqualTo(200);
    assertThat(levelsSet).containsExactly("org.avsnode=DEBUG");
    for (String bad : List.of("not json", "[]", "{\"level\":3}", "{\"level\":\"LOUD\"}")) {
      RouteRequest r =
          new RouteRequest(
              "POST",
              "/admin/log-level",
              Map.of(),
              Map.of(),
              Map.of(),
              bad.getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> api.logLevel(r))
          .as(bad)
          .isInstanceOfSatisfying(
              HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
  }
}

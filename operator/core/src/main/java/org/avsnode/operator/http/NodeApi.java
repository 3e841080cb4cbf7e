package org.avsnode.operator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;

/**
 * The node's own endpoints: the EigenLayer AVS node API ({@code /eigen/node...}, spec v0.0.1),
 * {@code /metrics} and the admin endpoints.
 */
public final class NodeApi {
  /** The EigenLayer AVS node API version implemented. */
  public static final String SPEC_VERSION = "v0.0.1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String nodeName;
  private final String nodeVersion;
  private final NodeHealth health;
  private final MetricsSystem metrics;
  private final LogLevelControl logLevels;

  public NodeApi(
      String nodeName,
      String nodeVersion,
      NodeHealth health,
      MetricsSystem metrics,
      LogLevelControl logLevels) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.nodeVersion = Objects.requireNonNull(nodeVersion, "nodeVersion");
    this.health = Objects.requireNonNull(health, "health");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.logLevels = Objects.requireNonNull(logLevels, "logLevels");
  }

  /** Mounts the endpoints on the table. {@code /metrics} only when metrics are enabled. */
  public void install(RouteTable routes) {
    routes.system("GET", "/eigen/node", 0, this::node);
    routes.system("GET", "/eigen/node/health", 0, this::nodeHealth);
    routes.system("GET", "/eigen/node/services", 0, this::services);
    routes.system("GET", "/eigen/node/services/{id}/health", 0, this::serviceHealth);
    if (metrics.enabled()) {
      routes.system("GET", "/metrics", 0, this::metrics);
    }
    routes.admin("GET", "/duties", this::duties);
    routes.admin("POST", "/log-level", this::logLevel);
  }

  RouteResponse node(RouteRequest req) {
    checkVersion(req);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node_name", nodeName);
    body.put("spec_version", SPEC_VERSION);
    body.put("node_version", nodeVersion);
    return RouteResponse.ok(body);
  }

  RouteResponse nodeHealth(RouteRequest req) {
    checkVersion(req);
    return healthResponse(health.overall());
  }

  RouteResponse services(RouteRequest req) {
    checkVersion(req);
    List<Map<String, Object>> list = new ArrayList<>();
    for (ServiceStatus s : health.services()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("name", s.name());
      m.put("description", s.description());
      m.put("status", NodeHealth.label(s.health().status()));
      list.add(m);
    }
    return RouteResponse.ok(Map.of("services", list));
  }

  RouteResponse serviceHealth(RouteRequest req) {
    checkVersion(req);
    String id = req.pathParam("id");
    Optional<ServiceStatus> s =
        health.services().stream().filter(x -> x.id().equals(id)).findFirst();
    if (s.isEmpty()) {
      throw HttpStatusException.notFound("no service with id " + id);
    }
    return healthResponse(s.get().health());
  }

  RouteResponse metrics(RouteRequest req) {
    return metrics
        .scrape()
        .map(t -> RouteResponse.text(200, PrometheusMetricsSystem.contentType(), t))
        .orElseGet(() -> RouteResponse.error(404, "metrics are disabled"));
  }

  RouteResponse duties(RouteRequest req) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ServiceStatus s : health.services()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("status", NodeHealth.label(s.health().status()));
      m.put("detail", s.health().detail());
      list.add(m);
    }
    Health overall = health.overall();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", NodeHealth.label(overall.status()));
    body.put("detail", overall.detail());
    body.put("services", list);
    return RouteResponse.ok(body);
  }

  RouteResponse logLevel(RouteRequest req) {
    JsonNode body;
    try {
      body = JSON.readTree(req.body());
    } catch (IOException e) {
      throw HttpStatusException.badRequest("body is not JSON");
    }
    if (body == null || !body.isObject() || !body.path("level").isTextual()) {
      throw HttpStatusException.badRequest(
          "expected {\"logger\": \"org.avsnode\", \"level\": \"DEBUG\"}");
    }
    JsonNode loggerNode = body.path("logger");
    if (!loggerNode.isMissingNode() && !loggerNode.isTextual()) {
      throw HttpStatusException.badRequest("logger must be a string");
    }
    String logger = loggerNode.isTextual() ? loggerNode.asText() : "ROOT";
    String level = body.path("level").asText();
    try {
      logLevels.setLevel(logger, level);
    } catch (IllegalArgumentException e) {
      throw HttpStatusException.badRequest(e.getMessage());
    } catch (UnsupportedOperationException e) {
      throw new HttpStatusException(501, e.getMessage());
    }
    return RouteResponse.ok(Map.of("logger", logger, "level", level));
  }

  private static RouteResponse healthResponse(Health h) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", NodeHealth.label(h.status()));
    if (!h.detail().isEmpty()) {
      body.put("detail", h.detail());
    }
    return RouteResponse.json(NodeHealth.httpStatus(h.status()), body);
  }

  /** The spec's {@code ?version=} parameter: an unsupported version is a 404. */
  private static void checkVersion(RouteRequest req) {
    Optional<String> v = req.queryParam("version");
    if (v.isPresent()) {
      String s = v.get().startsWith("v") ? v.get() : "v" + v.get();
      if (!s.equals(SPEC_VERSION)) {
        throw HttpStatusException.notFound("API version not found");
      }
    }
  }
}

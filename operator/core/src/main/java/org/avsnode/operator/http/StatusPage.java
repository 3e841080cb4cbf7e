package org.avsnode.operator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.avsnode.operator.spi.ActivityFeed;
import org.avsnode.operator.spi.EventStreamHandler;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;

/**
 * The node's status page: {@code GET /status} (HTML, script and style from the jar, no CDN, no
 * inline script), {@code GET /status/api/summary} (the operator, its stake at the current epoch,
 * every service's health, the recent activity), {@code GET /status/api/nodes} (the nodes the page
 * shows: this one) and {@code GET /status/api/events} (server-sent {@code activity} events as the
 * duties publish them). Read-only and unauthenticated, like {@code /eigen/node}: it changes
 * nothing, and it is served where the node API is (loopback unless configured).
 */
public final class StatusPage {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The page's static files, by name under {@code /status/}. */
  private static final Map<String, String> ASSETS =
      Map.of(
          "app.js", "application/javascript; charset=utf-8",
          "style.css", "text/css; charset=utf-8");

  /** A policy that allows the page's own files and requests only. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
          + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final String nodeName;
  private final String nodeVersion;
  private final Optional<String> operator;
  private final NodeHealth health;
  private final ActivityFeed feed;
  private final Supplier<Map<String, Object>> registration;

  /**
   * @param registration the operator's registration and stake (see {@link StakeView}); called on
   *     each summary request, so it caches
   */
  public StatusPage(
      String nodeName,
      String nodeVersion,
      Optional<String> operator,
      NodeHealth health,
      ActivityFeed feed,
      Supplier<Map<String, Object>> registration) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.nodeVersion = Objects.requireNonNull(nodeVersion, "nodeVersion");
    this.operator = Objects.requireNonNull(operator, "operator");
    this.health = Objects.requireNonNull(health, "health");
    this.feed = Objects.requireNonNull(feed, "feed");
    this.registration = Objects.requireNonNull(registration, "registration");
  }

  public void install(RouteTable routes) {
    routes.system("GET", "/status", 0, r -> page());
    routes.system("GET", "/status/{asset}", 0, r -> asset(r.pathParam("asset")));
    routes.system("GET", "/status/api/summary", 0, r -> summary());
    routes.system(
        "GET",
        "/status/api/nodes",
        0,
        r -> RouteResponse.ok(List.of(Map.of("name", nodeName, "base", ""))));
    routes.stream("/status/api/events", this::openEvents);
  }

  /** The HTML page, with the headers every page answer carries. */
  public static RouteResponse page() {
    return secured(
        new RouteResponse(200, "text/html; charset=utf-8", resource("index.html"), Map.of()));
  }

  /** One of the page's static files; 404 for any other name. */
  public static RouteResponse asset(String name) {
    String type = ASSETS.get(name);
    if (type == null) {
      throw HttpStatusException.notFound("no such file: /status/" + name);
    }
    return secured(new RouteResponse(200, type, resource(name), Map.of()));
  }

  private static RouteResponse secured(RouteResponse r) {
    return r.withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("Cache-Control", "no-cache");
  }

  /** The bytes of a page file inside the jar. */
  public static byte[] resource(String name) {
    try (InputStream in = StatusPage.class.getResourceAsStream("status/" + name)) {
      if (in == null) {
        throw new IllegalStateException("status page file missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RouteResponse summary() {
    Map<String, Object> body = new LinkedHashMap<>();
    Health overall = health.overall();
    body.put("name", nodeName);
    body.put("version", nodeVersion);
    body.put("operator", operator.orElse(null));
    body.put("status", NodeHealth.label(overall.status()));
    body.put("detail", overall.detail());
    List<Map<String, Object>> services = new ArrayList<>();
    for (ServiceStatus s : health.services()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("name", s.name());
      m.put("status", NodeHealth.label(s.health().status()));
      m.put("detail", s.health().detail());
      services.add(m);
    }
    body.put("services", services);
    body.put("registration", registration.get());
    body.put("activity", feed.recent().stream().map(e -> entryJson(nodeName, e)).toList());
    return RouteResponse.ok(body);
  }

  private AutoCloseable openEvents(RouteRequest req, EventStreamHandler.EventSink sink) {
    Runnable unsubscribe =
        feed.subscribe(
            e -> sink.send("activity", Long.toString(e.seq()), json(entryJson(nodeName, e))));
    return unsubscribe::run;
  }

  /** An activity entry as the page reads it ({@code at} in epoch milliseconds). */
  public static Map<String, Object> entryJson(String node, ActivityFeed.Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", node);
    m.put("seq", e.seq());
    m.put("at", e.at().toEpochMilli());
    m.put("duty", e.duty());
    m.put("kind", e.kind());
    m.put("rollupId", e.rollupId());
    m.put("subject", e.subject());
    m.put("outcome", e.outcome());
    m.put("latencyMillis", e.latencyMillis());
    m.put("detail", e.detail());
    m.put("level", e.level());
    return m;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}

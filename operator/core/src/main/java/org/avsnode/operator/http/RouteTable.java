package org.avsnode.operator.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.avsnode.operator.spi.EventStreamHandler;
import org.avsnode.operator.spi.HttpRoutes;
import org.avsnode.operator.spi.RouteHandler;

/** The node's route registry: duties mount through {@link HttpRoutes}, the node adds its own. */
public final class RouteTable implements HttpRoutes {
  private static final Set<String> RESERVED = Set.of("eigen", "metrics", "admin");
  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");
  private static final Pattern PARAM = Pattern.compile("\\{[a-zA-Z][a-zA-Z0-9_]*}");
  private static final Pattern METHOD = Pattern.compile("[A-Z]+");

  private final List<Route> routes = new CopyOnWriteArrayList<>();

  /**
   * A mounted route.
   *
   * @param template the path as mounted, used as the {@code path} metric label
   */
  public record Route(
      String method,
      String template,
      List<String> segments,
      int maxBodyBytes,
      boolean admin,
      RouteHandler handler,
      EventStreamHandler stream) {

    /** Whether this route answers with a server-sent event stream. */
    public boolean isStream() {
      return stream != null;
    }
  }

  /** The outcome of a lookup. */
  public sealed interface Match {}

  /** A route matched. */
  public record Found(Route route, Map<String, String> params) implements Match {}

  /** The path exists with other methods: 405. */
  public record WrongMethod(Set<String> allowed) implements Match {}

  /** No route has this path: 404. */
  public record NotFound() implements Match {}

  @Override
  public void route(String method, String path, int maxBodyBytes, RouteHandler handler) {
    List<String> segments = parse(path);
    if (RESERVED.contains(segments.get(0))) {
      throw new IllegalArgumentException(
          "path " + path + " is under a reserved prefix (/eigen, /metrics, /admin)");
    }
    add(method, path, segments, maxBodyBytes, false, handler, null);
  }

  @Override
  public void stream(String path, EventStreamHandler handler) {
    Objects.requireNonNull(handler, "handler");
    List<String> segments = parse(path);
    if (RESERVED.contains(segments.get(0))) {
      throw new IllegalArgumentException(
          "path " + path + " is under a reserved prefix (/eigen, /metrics, /admin)");
    }
    add(
        "GET",
        path,
        segments,
        0,
        false,
        r -> {
          throw new IllegalStateException(
              "a stream route is served by the server's stream support");
        },
        handler);
  }

  @Override
  public void admin(String method, String path, RouteHandler handler) {
    String full = "/admin" + path;
    add(method, full, parse(full), DEFAULT_MAX_BODY_BYTES, true, handler, null);
  }

  /** Mounts one of the node's own routes (reserved prefixes allowed). */
  void system(String method, String path, int maxBodyBytes, RouteHandler handler) {
    add(method, path, parse(path), maxBodyBytes, false, handler, null);
  }

  private void add(
      String method,
      String template,
      List<String> segments,
      int maxBodyBytes,
      boolean admin,
      RouteHandler handler,
      EventStreamHandler stream) {
    Objects.requireNonNull(handler, "handler");
    if (method == null || !METHOD.matcher(method).matches()) {
      throw new IllegalArgumentException("bad HTTP method '" + method + "'");
    }
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("negative body limit " + maxBodyBytes);
    }
    synchronized (routes) {
      for (Route r : routes) {
        if (r.method().equals(method) && sameShape(r.segments(), segments)) {
          throw new IllegalArgumentException(
              "route " + method + " " + template + " clashes with " + r.template());
        }
      }
      routes.add(new Route(method, template, segments, maxBodyBytes, admin, handler, stream));
    }
  }

  /** Finds the route for a request; literal segments win over parameters. */
  public Match match(String method, String path) {
    List<String> parts = split(path);
    Found best = null;
    int bestLiterals = -1;
    Set<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Map<String, String> params = bind(r.segments(), parts);
      if (params == null) {
        continue;
      }
      if (!r.method().equals(method.toUpperCase(Locale.ROOT))) {
        allowed.add(r.method());
        continue;
      }
      int literals = (int) r.segments().stream().filter(s -> !s.startsWith("{")).count();
      if (literals > bestLiterals) {
        best = new Found(r, params);
        bestLiterals = literals;
      }
    }
    if (best != null) {
      return best;
    }
    return allowed.isEmpty() ? new NotFound() : new WrongMethod(allowed);
  }

  /** Every mounted route, in mount order. */
  public List<Route> routes() {
    return List.copyOf(routes);
  }

  private static Map<String, String> bind(List<String> template, List<String> parts) {
    if (template.size() != parts.size()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < template.size(); i++) {
      String t = template.get(i);
      String p = parts.get(i);
      if (t.startsWith("{")) {
        if (p.isEmpty()) {
          return null;
        }
        params.put(t.substring(1, t.length() - 1), p);
      } else if (!t.equals(p)) {
        return null;
      }
    }
    return params;
  }

  private static boolean sameShape(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      boolean pa = a.get(i).startsWith("{");
      boolean pb = b.get(i).startsWith("{");
      if (pa != pb || (!pa && !a.get(i).equals(b.get(i)))) {
        return false;
      }
    }
    return true;
  }

  private static List<String> parse(String path) {
    if (path == null || !path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
      throw new IllegalArgumentException(
          "route path '" + path + "' must start with / and not end with /");
    }
    List<String> segments = split(path);
    for (String s : segments) {
      if (!LITERAL.matcher(s).matches() && !PARAM.matcher(s).matches()) {
        throw new IllegalArgumentException("bad segment '" + s + "' in route path " + path);
      }
    }
    return segments;
  }

  private static List<String> split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    List<String> out = new ArrayList<>();
    int start = 0;
    while (true) {
      int slash = p.indexOf('/', start);
      if (slash < 0) {
        out.add(p.substring(start));
        return out;
      }
      out.add(p.substring(start, slash));
      start = slash + 1;
    }
  }
}

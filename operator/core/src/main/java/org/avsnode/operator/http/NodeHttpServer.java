package org.avsnode.operator.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP server on Jetty 12's core handler API. Every request goes through one handler
 * that looks up the route, checks the admin token, enforces the body limit (413, counted), runs the
 * route and maps failures to {@code {"error": ...}} responses; nothing thrown by a route reaches
 * Jetty.
 */
public final class NodeHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeHttpServer.class);
  static final String UNMATCHED = "unmatched";

  private final HttpServerConfig config;
  private final RouteTable routes;
  private final AdminToken adminToken;
  private final NodeMetrics metrics;
  private final Duration streamKeepAlive;
  private Server server;
  private ServerConnector connector;
  private EventStreams streams;

  /** Most clients on server-sent event streams at once; more get 503. */
  static final int MAX_STREAM_CLIENTS = 64;

  /** Events queued per stream client before a client that stopped reading is dropped. */
  static final int STREAM_QUEUE = 256;

  public NodeHttpServer(
      HttpServerConfig config, RouteTable routes, AdminToken adminToken, NodeMetrics metrics) {
    this.config = Objects.requireNonNull(config, "config");
    this.routes = Objects.requireNonNull(routes, "routes");
    this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.streamKeepAlive = Duration.ofSeconds(15);
  }

  /** As above with another keep-alive interval for event streams (tests). */
  NodeHttpServer(
      HttpServerConfig config,
      RouteTable routes,
      AdminToken adminToken,
      NodeMetrics metrics,
      Duration streamKeepAlive) {
    this.config = Objects.requireNonNull(config, "config");
    this.routes = Objects.requireNonNull(routes, "routes");
    this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.streamKeepAlive = Objects.requireNonNull(streamKeepAlive, "streamKeepAlive");
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException when the address cannot be bound (port in use, bad host)
   */
  public synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    QueuedThreadPool pool = new QueuedThreadPool(32, 4);
    pool.setName("http");
    pool.setDaemon(true);
    Server s = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(16 * 1024);
    ServerConnector c = new ServerConnector(s, new HttpConnectionFactory(http));
    c.setHost(config.host());
    c.setPort(config.port());
    c.setIdleTimeout(config.idleTimeout().toMillis());
    s.addConnector(c);
    s.setHandler(new ApiHandler());
    s.setStopTimeout(5_000);
    EventStreams es = new EventStreams(MAX_STREAM_CLIENTS, STREAM_QUEUE, streamKeepAlive, metrics);
    streams = es;
    try {
      s.start();
    } catch (IOException e) {
      es.close();
      stopQuietly(s);
      throw new IOException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    } catch (Exception e) {
      es.close();
      stopQuietly(s);
      throw new IOException("HTTP server failed to start: " + e, e);
    }
    server = s;
    connector = c;
  }

  /** The bound port (the real one when configured with 0). */
  public synchronized int port() {
    if (connector == null) {
      throw new IllegalStateException("not started");
    }
    return connector.getLocalPort();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:9010}. */
  public String baseUrl() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port();
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      streams.close(); // ends every open stream first, so Jetty need not wait for them
      stopQuietly(server);
      server = null;
      connector = null;
    }
  }

  private static void stopQuietly(Server s) {
    try {
      s.stop();
    } catch (Exception e) {
      LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
    }
  }

  private final class ApiHandler extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String method = request.getMethod().toUpperCase(Locale.ROOT);
      String path = request.getHttpURI().getDecodedPath();
      String label = UNMATCHED;
      RouteResponse out;
      try {
        RouteTable.Match match = routes.match(method, path == null ? "/" : path);
        if (match instanceof RouteTable.Found found && found.route().isStream()) {
          label = found.route().template();
          out = openStream(found, request, response, callback, method, path);
          if (out == null) {
            metrics.httpRequest(label, 200);
            return true; // the stream's pump completes the callback
          }
        } else if (match instanceof RouteTable.Found found) {
          label = found.route().template();
          out = serve(found, request, method, path);
        } else if (match instanceof RouteTable.WrongMethod wrong) {
          out =
              RouteResponse.error(405, "method " + method + " not allowed")
                  .withHeader("Allow", String.join(", ", wrong.allowed()));
        } else {
          out = RouteResponse.error(404, "no such endpoint");
        }
      } catch (HttpStatusException e) {
        out = RouteResponse.error(e.status(), e.getMessage());
      } catch (Exception | LinkageError e) {
        LOG.error("HTTP {} {} failed", method, path, e);
        out = RouteResponse.error(500, "internal error");
      }
      metrics.httpRequest(label, out.status());
      response.setStatus(out.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, out.contentType());
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      out.headers().forEach((k, v) -> response.getHeaders().put(k, v));
      response.write(true, ByteBuffer.wrap(out.body()), callback);
      return true;
    }

    private RouteResponse serve(RouteTable.Found found, Request request, String method, String path)
        throws Exception {
      RouteTable.Route route = found.route();
      if (route.admin()
          && !adminToken.accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
        metrics.httpRejected("unauthorized");
        return RouteResponse.error(401, "missing or wrong bearer token")
            .withHeader("WWW-Authenticate", "Bearer");
      }
      byte[] body;
      long declared = request.getLength();
      if (declared > route.maxBodyBytes()) {
        metrics.httpRejected("too_large");
        return tooLarge(route);
      }
      body = readBody(request, route.maxBodyBytes());
      if (body == null) {
        metrics.httpRejected("too_large");
        return tooLarge(route);
      }
      RouteRequest req = routeRequest(found, request, method, path, body);
      RouteResponse resp = route.handler().handle(req);
      if (resp == null) {
        throw new IllegalStateException("route " + route.template() + " returned no response");
      }
      return resp;
    }

    /** Starts an event stream; null when it started, else the answer to send instead. */
    private RouteResponse openStream(
        RouteTable.Found found,
        Request request,
        Response response,
        Callback callback,
        String method,
        String path)
        throws Exception {
      RouteRequest req = routeRequest(found, request, method, path, new byte[0]);
      EventStreams.Refusal refusal = streams.open(found.route().stream(), req, response, callback);
      return refusal == null ? null : RouteResponse.error(refusal.status(), refusal.reason());
    }

    /** Path parameters, query and headers of a request; a malformed query is a 400. */
    private RouteRequest routeRequest(
        RouteTable.Found found, Request request, String method, String path, byte[] body) {
      Map<String, List<String>> query = new LinkedHashMap<>();
      try {
        Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        for (Fields.Field f : fields) {
          query.put(f.getName(), new ArrayList<>(f.getValues()));
        }
      } catch (RuntimeException e) {
        metrics.httpRejected("bad_query");
        throw HttpStatusException.badRequest("malformed query string");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (HttpField h : request.getHeaders()) {
        headers.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
      }
      return new RouteRequest(method, path, found.params(), query, headers, body);
    }

    private RouteResponse tooLarge(RouteTable.Route route) {
      return RouteResponse.error(
          413, "request body larger than " + route.maxBodyBytes() + " bytes");
    }

    /** Reads at most {@code limit} bytes; null when the body is larger. */
    private byte[] readBody(Request request, int limit) throws IOException {
      try (InputStream in = Request.asInputStream(request)) {
        byte[] data = in.readNBytes(limit);
        if (in.read() != -1) {
          return null;
        }
        return data;
      }
    }
  }
}

package org.avsnode.operator.spi;

/**
 * Where a duty mounts its HTTP endpoints on the node's server (e.g. MACH's {@code /v1/finality/...}
 * and its attestation intake). Paths are absolute, segments separated by {@code /}, and a segment
 * {@code {name}} matches any one segment. The node's own prefixes {@code /eigen}, {@code /metrics}
 * and {@code /admin} are reserved; {@link #admin} mounts under {@code /admin} behind the bearer
 * token.
 */
public interface HttpRoutes {

  /** Default request body limit when a route does not set one: 1 MiB. */
  int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  /**
   * Mounts a route.
   *
   * @param maxBodyBytes larger bodies are rejected with 413 before the handler runs
   * @throws IllegalArgumentException for a malformed or reserved path, or a route already mounted
   */
  void route(String method, String path, int maxBodyBytes, RouteHandler handler);

  default void get(String path, RouteHandler handler) {
    route("GET", path, 0, handler);
  }

  default void post(String path, RouteHandler handler) {
    route("POST", path, DEFAULT_MAX_BODY_BYTES, handler);
  }

  default void post(String path, int maxBodyBytes, RouteHandler handler) {
    route("POST", path, maxBodyBytes, handler);
  }

  /**
   * Mounts a GET route that answers with a stream of server-sent events ({@code text/event-stream})
   * for as long as the client stays connected.
   *
   * @throws IllegalArgumentException for a malformed or reserved path, or a route already mounted
   */
  void stream(String path, EventStreamHandler handler);

  /**
   * Mounts {@code /admin<path>}, reachable only with {@code Authorization: Bearer <admin token>}.
   */
  void admin(String method, String path, RouteHandler handler);
}
